"""The `income_fall` rule (grid_cli/rules/income_fall.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import income_fall
from grid_cli.rules.base import HIGH, MEDIUM
from rulekit import ctx, income_visit, run


def test_income_fall_boundary_against_previous_visit():
    at_30 = ctx(visits=[income_visit(10000, days_ago=40), income_visit(7000, days_ago=5)])
    over_30 = ctx(visits=[income_visit(10000, days_ago=40), income_visit(6999, days_ago=5)])
    assert run(income_fall, at_30) == []
    [f] = run(income_fall, over_30)
    assert f.severity == MEDIUM and "10,000" in f.zh and "6,999" in f.zh


def test_income_fall_against_a_year_ago_when_the_last_visit_already_fell():
    visits = [income_visit(12000, days_ago=380), income_visit(5000, days_ago=40), income_visit(5000, days_ago=5)]
    [f] = run(income_fall, ctx(visits=visits))
    assert f.facts["before"] == 12000 and f.severity == HIGH  # fell 58% > severe share 50%


def test_income_fall_needs_two_visits():
    assert run(income_fall, ctx(visits=[income_visit(100)])) == []
