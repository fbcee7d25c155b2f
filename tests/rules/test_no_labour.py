"""The `no_labour` rule (grid_cli/rules/no_labour.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import no_labour
from rulekit import ctx, person, run


def test_no_labour_elderly_household():
    old = [person("杜长", 79, skill="丧失劳动力"), person("杜妻", 77, "配偶", "无劳动力")]
    assert run(no_labour, ctx(members=old))
    assert not run(no_labour, ctx(members=[person("甲", 64)]))
    assert run(no_labour, ctx(members=[person("甲", 65)]))
    assert not run(no_labour, ctx(members=[person("甲", 40, skill=None)]))  # unknown is not proof
    assert run(no_labour, ctx(members=[person("甲", 70, skill=None)]))


def test_weak_or_half_labour_counts_by_default_and_is_configurable():
    weak = ctx(members=[person("甲", 50, skill="弱劳动力或半劳动力")])
    assert run(no_labour, weak) == []  # seed 003 counts 弱半劳动能力
    [f] = run(no_labour, weak, labour__skills=["普通劳动力", "技能劳动力"])
    assert "16–64" in f.zh
    assert run(no_labour, ctx(members=[person("甲", 62)]), labour__max_age=60)
