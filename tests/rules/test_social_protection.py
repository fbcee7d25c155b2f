"""The `social_protection` rule (grid_cli/rules/social_protection.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import social_protection
from grid_cli.model import Measure, Monitoring
from grid_cli.rules.base import MEDIUM
from rulekit import TODAY, ctx, person, run


def test_social_protection_for_households_without_labour():
    old = [person("甲", 75, skill="丧失劳动力"), person("乙", 73, "配偶", skill="无劳动力")]
    [f] = run(social_protection, ctx(members=old))
    assert "应保尽保" in f.zh and f.severity == MEDIUM
    assert not run(social_protection, ctx(members=old, flags=("低保",)))
    assert not run(social_protection, ctx(members=[person("甲", 75, skill="丧失劳动力", tekun=True)]))
    covered = Monitoring(measures=(Measure("m", "综合保障", TODAY),))
    assert not run(social_protection, ctx(members=old, monitoring=covered))
    assert not run(social_protection, ctx(members=old, hh_type="一般农户"))  # neither 脱贫户 nor monitored
    assert not run(social_protection, ctx(members=[person("甲", 40)]))  # has labour
