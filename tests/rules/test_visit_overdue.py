"""The `visit_overdue` rule (grid_cli/rules/visit_overdue.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import visit_overdue
from grid_cli.rules.base import HIGH, MEDIUM
from rulekit import ctx, monitored, run, visit


def test_visit_overdue_boundary_and_must_visit_groups():
    assert not run(visit_overdue, ctx(visits=[visit(days_ago=31)]))
    [f] = run(visit_overdue, ctx(visits=[visit(days_ago=32)]))
    assert f.severity == MEDIUM and f.facts["days"] == 32
    [g] = run(visit_overdue, ctx(visits=[visit(days_ago=32)], flags=("低保",)))
    assert g.severity == HIGH and "低保" in g.zh
    [h] = run(visit_overdue, ctx(visits=[]))
    assert "尚未走访" in h.zh


def test_visit_interval_per_household_type():
    context = ctx(visits=[visit(days_ago=60)], hh_type="一般农户")
    assert not run(visit_overdue, context, visit_overdue__days_by_type={"一般农户": 92})


def test_quarterly_visits_for_lifted_households_but_monthly_for_must_visit_groups():
    quarterly = {"visit_overdue__days_by_type": {"脱贫户": 92}}  # seed 002 篇三
    assert not run(visit_overdue, ctx(visits=[visit(days_ago=80, wages=40000)]), **quarterly)
    [f] = run(visit_overdue, ctx(visits=[visit(days_ago=93, wages=40000)]), **quarterly)
    assert f.facts["interval"] == 92
    [g] = run(visit_overdue, ctx(visits=[visit(days_ago=40, wages=40000)], flags=("低保",)), **quarterly)
    assert g.severity == HIGH and g.facts["interval"] == 31  # 八必访: still monthly
    # a monitored 脱贫户 goes by its category, not its type
    assert run(visit_overdue, ctx(visits=[visit(days_ago=40, wages=40000)], monitoring=monitored()), **quarterly)
    assert not run(visit_overdue, ctx(visits=[visit(days_ago=40, wages=40000)], monitoring=monitored()),
                   visit_overdue__days_by_category={"边缘易致贫户": 45})
