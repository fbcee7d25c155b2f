"""The `unstable_again` rule (grid_cli/rules/unstable_again.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import unstable_again
from grid_cli.rules.base import HIGH, finding
from rulekit import ctx, eliminated, income_visit, run


def test_eliminated_household_stable_is_not_flagged():
    stable = ctx(visits=[income_visit(12000, days_ago=90), income_visit(11000, days_ago=10)], monitoring=eliminated())
    assert run(unstable_again, stable) == []


def test_eliminated_household_income_fall_suggests_reinclusion_with_the_numbers():
    # 12,000 at the elimination, 7,200 now: down 40% (beyond income_fall.share 30%) and under 7,600
    fallen = ctx(visits=[income_visit(12000, days_ago=90), income_visit(7200, days_ago=10)], monitoring=eliminated())
    [f] = run(unstable_again, fallen)
    assert f.severity == HIGH and "重新纳入" in f.zh and "2026-09" in f.zh
    assert "由消除时的 12,000 元" in f.zh and "降至 7,200 元，下降 40%（超过 30%）" in f.zh
    assert "人均纯收入 7,200 元 < 监测标准 7,600 元" in f.zh
    assert [c["rule"] for c in f.facts["causes"]] == ["income_below_threshold", "income_fall"]
    assert f.facts["causes"][1]["before"] == 12000 and f.facts["causes"][1]["after"] == 7200


def test_eliminated_household_fall_above_the_threshold_still_counts():
    # 20,000 -> 11,000: -45%, still above the threshold: the income_fall share decides, not the line
    fallen = ctx(visits=[income_visit(20000, days_ago=90), income_visit(11000, days_ago=10)], monitoring=eliminated())
    [f] = run(unstable_again, fallen)
    assert [c["rule"] for c in f.facts["causes"]] == ["income_fall"] and "下降 45%" in f.zh
    assert run(unstable_again, fallen, income_fall__share=0.5) == []  # the share is the income_fall rule's


def test_eliminated_household_with_an_open_guarantee_finding():
    import dataclasses

    gone = ctx(visits=[income_visit(12000, days_ago=90), income_visit(12000, days_ago=10)], monitoring=eliminated())
    uninsured = dataclasses.replace(gone, prior=(finding(gone, "medical", HIGH, "家庭成员未参加基本医疗保险：甲", "uninsured"),))
    [f] = run(unstable_again, uninsured)
    assert "家庭成员未参加基本医疗保险：甲" in f.zh and f.facts["causes"] == [{"rule": "medical"}]
    # visits before the elimination do not count against it
    old_low = ctx(visits=[income_visit(5000, days_ago=90)], monitoring=eliminated())
    assert run(unstable_again, old_low) == []
