"""The `assistance_gap` rule (grid_cli/rules/assistance_gap.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import assistance_gap
from rulekit import ctx, monitored, run


def test_assistance_gap_after_thirty_days():
    assert not run(assistance_gap, ctx(monitoring=monitored(days=30, measures=0, helpers=0)))
    found = run(assistance_gap, ctx(monitoring=monitored(days=31, measures=0, helpers=0)))
    assert {f.facts["missing"] for f in found} == {"helper", "measure"}
    assert not run(assistance_gap, ctx(monitoring=monitored(days=90)))
