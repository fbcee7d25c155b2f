"""The `small_loan` rule (grid_cli/rules/small_loan.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

import datetime as dt

from grid_cli.rules import small_loan
from grid_cli.model import Measure, Monitoring
from grid_cli.rules.base import HIGH, MEDIUM
from rulekit import TODAY, ctx, run


def test_small_loan_due_within_a_week_or_overdue():
    def loan(days):
        m = Measure("loan", "金融帮扶", TODAY - dt.timedelta(days=300), amount=30000, due=TODAY + dt.timedelta(days=days))
        return ctx(monitoring=Monitoring(measures=(m,)))
    assert not run(small_loan, loan(8))
    [f] = run(small_loan, loan(7))
    assert f.severity == MEDIUM and "30,000" in f.zh
    [g] = run(small_loan, loan(-1))
    assert g.severity == HIGH
