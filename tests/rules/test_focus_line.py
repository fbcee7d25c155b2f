"""The `focus_line` rule (grid_cli/rules/focus_line.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import focus_line
from rulekit import ctx, income_visit, run


def test_focus_line_for_lifted_households():
    assert run(focus_line, ctx(visits=[income_visit(9999)]))
    assert not run(focus_line, ctx(visits=[income_visit(10000)]))
    assert not run(focus_line, ctx(visits=[income_visit(9000)], hh_type="一般农户"))
    assert not run(focus_line, ctx(visits=[income_visit(7000)]))  # under the threshold: income_below's
