"""The `followup` rule (grid_cli/rules/followup.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

import datetime as dt

from grid_cli.rules import followup
from grid_cli.rules.base import INFO
from rulekit import ctx, eliminated, income_visit, monitored, run, visit


def test_followup_due_each_quarter_after_elimination():
    # today 2026-11-22 is in Q4 (2026-10-01..12-31); eliminated 60 days ago = 2026-09-23, before Q4
    [f] = run(followup, ctx(visits=[income_visit(9000, days_ago=10)], monitoring=eliminated(60)))
    assert f.severity == INFO and f.facts["period"] == ["2026-10-01", "2026-12-31"] and "从未回头看" in f.zh
    done = visit(days_ago=10, wages=18000, followup=True)
    assert not run(followup, ctx(visits=[done], monitoring=eliminated(60)))
    last_quarter = visit(days_ago=70, wages=18000, followup=True)  # 2026-09-13: Q3's, not this quarter's
    [g] = run(followup, ctx(visits=[last_quarter], monitoring=eliminated(90)))
    assert "上次回头看 2026-09-13" in g.zh
    assert not run(followup, ctx(monitoring=eliminated(30)))  # eliminated 2026-10-23, in this quarter: next quarter's
    assert not run(followup, ctx(monitoring=monitored()))
    assert run(followup, ctx(monitoring=eliminated(30)), followup_due__months=1)  # monthly: due in November
    assert followup.period(dt.date(2026, 12, 31), 6) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
