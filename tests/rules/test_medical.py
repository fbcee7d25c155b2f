"""The `medical` rule (grid_cli/rules/medical.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import medical
from grid_cli.rules.base import HIGH, MEDIUM
from rulekit import ctx, person, run


def test_medical_insurance_and_chronic_card():
    uninsured = person("潘花", 50, medical_insurance=False)
    [f] = run(medical, ctx(members=[uninsured]))
    assert "潘花" in f.zh and f.severity == HIGH
    chronic = person("甲", 60, health="长期慢性病", chronic_card=False, medical_insurance=True)
    [g] = run(medical, ctx(members=[chronic]))
    assert g.severity == MEDIUM
    assert run(medical, ctx(members=[person(medical_insurance=True)])) == []
