"""The `income_below` rule (grid_cli/rules/income_below.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import income_below
from grid_cli.rules.base import HIGH
from rulekit import ctx, income_visit, run, visit


def test_income_exactly_at_threshold_is_not_below():
    assert run(income_below, ctx(visits=[income_visit(7600)])) == []


def test_income_one_yuan_under_threshold_is_flagged_with_the_numbers():
    [f] = run(income_below, ctx(visits=[income_visit(7599)]))
    assert f.severity == HIGH and f.grade == "red"
    assert "人均纯收入 7,599 元 < 监测标准 7,600 元" in f.zh
    assert f.facts["per_capita"] == 7599 and f.facts["threshold"] == 7600


def test_income_below_compares_exactly_not_after_rounding():
    # net 22,799 over 3 residents = 7,599.67 -> displays as 7,600 but is below the line
    context = ctx(visits=[visit(residents=3, wages=22799)])
    [f] = run(income_below, context)
    assert f.facts["per_capita"] == 7600


def test_income_counts_production_costs_and_all_components():
    context = ctx(visits=[visit(residents=2, wages=8000, business=5000, transfer=3000, costs=1000)])  # 7,500 pc
    assert run(income_below, context)
    context = ctx(visits=[visit(residents=2, wages=8000, business=5000, transfer=3000, costs=800)])  # 7,600 pc
    assert not run(income_below, context)
