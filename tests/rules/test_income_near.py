"""The `income_near` rule (grid_cli/rules/income_near.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import income_near
from rulekit import ctx, income_visit, run


def test_warning_band_upper_edge():
    assert run(income_near, ctx(visits=[income_visit(11399)]))
    assert not run(income_near, ctx(visits=[income_visit(11400)]))
    assert not run(income_near, ctx(visits=[income_visit(7599)]))  # that is income_below's
    assert run(income_near, ctx(visits=[income_visit(7600)]))


def test_warning_band_is_configurable():
    assert not run(income_near, ctx(visits=[income_visit(9000)]), income_near_threshold__band=0.1)
