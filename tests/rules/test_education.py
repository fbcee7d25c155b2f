"""The `education` rule (grid_cli/rules/education.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import education
from grid_cli.rules.base import HIGH
from rulekit import ctx, person, run


def test_education_child_out_of_school():
    child = person("罗俊", 13, "之子", None, school_status="失学辍学", dropout_reason="因家庭经济困难")
    [f] = run(education, ctx(members=[person(), child]))
    assert "罗俊（13岁）" in f.zh and f.severity == HIGH


def test_education_excused_for_health_and_outside_age_band():
    ill = person("甲", 13, "之子", None, school_status="失学辍学", dropout_reason="因病")
    sixteen = person("乙", 16, "之子", None, school_status="失学辍学", dropout_reason="其他")
    six = person("丙", 6, "之女", None, school_status="失学辍学", dropout_reason="其他")
    assert run(education, ctx(members=[person(), ill, sixteen])) == []
    assert len(run(education, ctx(members=[person(), six]))) == 1
