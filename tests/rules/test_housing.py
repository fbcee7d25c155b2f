"""The `housing` rule (grid_cli/rules/housing.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

import pytest

from grid_cli.rules import housing
from rulekit import ctx, run, visit


@pytest.mark.parametrize("grade,flagged", [("A", False), ("B", False), ("C", True), ("D", True)])
def test_housing_grades(grade, flagged):
    assert bool(run(housing, ctx(visits=[visit(house_grade=grade)]))) is flagged
