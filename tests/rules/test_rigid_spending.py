"""The `rigid_spending` rule (grid_cli/rules/rigid_spending.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import rigid_spending
from rulekit import ctx, run, visit


def test_rigid_spending_amount_boundary():
    assert not run(rigid_spending, ctx(visits=[visit(wages=100000, medical=20000)]))
    [f] = run(rigid_spending, ctx(visits=[visit(wages=100000, medical=20001)]))
    assert "20,001" in f.zh


def test_rigid_spending_share_of_income():
    assert not run(rigid_spending, ctx(visits=[visit(wages=20000, medical=10000)]))  # exactly half
    assert run(rigid_spending, ctx(visits=[visit(wages=20000, medical=10001)]))
