"""The `elimination` rule (grid_cli/rules/elimination.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

import datetime as dt

from grid_cli.rules import elimination
from grid_cli.rules.base import HIGH, INFO, MEDIUM, finding
from rulekit import TODAY, configs, ctx, income_visit, monitored, person, run, stable_candidate


def test_elimination_candidate_when_all_criteria_hold():
    [f] = run(elimination, stable_candidate())
    assert f.severity == INFO and f.grade == "green"


def test_never_a_candidate_without_working_age_labour():
    context = stable_candidate()
    old = ctx(members=[person("甲", 70, skill="弱劳动力或半劳动力")], visits=context.visits, monitoring=context.monitoring)
    assert run(elimination, old) == []


def test_not_a_candidate_before_six_months_or_with_a_high_risk():
    visits = [income_visit(9000, days_ago=d) for d in (200, 100, 20)]
    young = ctx(members=[person("甲", 40)], visits=visits, monitoring=monitored(days=170))
    assert run(elimination, young) == []
    import dataclasses

    risky = dataclasses.replace(stable_candidate(), prior=(finding(stable_candidate(), "housing", HIGH, "危房", "unsafe"),))
    assert run(elimination, risky) == []
    dipped = [income_visit(9000, days_ago=d) for d in (200, 170, 140)] + [income_visit(7000, days_ago=110)] + \
             [income_visit(9000, days_ago=d) for d in (80, 50, 20)]
    assert run(elimination, ctx(members=[person("甲", 40)], visits=dipped, monitoring=monitored(days=200))) == []


def gate_of(context, findings=(), **overrides):
    cfg = configs(**overrides)["elimination_candidate"]
    return {c.key: c for c in elimination.gate(context, cfg, findings)}


def test_gate_all_met():
    criteria = gate_of(stable_candidate())
    assert all(c.met for c in criteria.values()) and set(criteria) == {"monitored", "income", "guarantees", "helper",
                                                                         "measure", "labour"}


def test_gate_monitored_long_enough():
    c = gate_of(stable_candidate(monitoring=monitored(days=150)))["monitored"]
    assert not c.met and "已 150 天（不足 6 个月" in c.zh and c.facts["days"] == 150


def test_gate_income_stable_for_the_months():
    dipped = [income_visit(9000, days_ago=d) for d in (200, 170, 140)] + [income_visit(7000, days_ago=110)] + \
             [income_visit(9000, days_ago=d) for d in (80, 50, 20)]
    c = gate_of(ctx(members=[person("甲", 40)], visits=dipped, monitoring=monitored(days=200)))["income"]
    assert not c.met and f"{TODAY - dt.timedelta(days=110)} 7,000 元" in c.zh and "低于监测标准 7,600 元" in c.zh
    none = gate_of(ctx(members=[person("甲", 40)], visits=[income_visit(9000, days_ago=300)], monitoring=monitored(days=400)))
    assert not none["income"].met and "没有走访记录" in none["income"].zh
    assert gate_of(stable_candidate(), elimination_candidate__months=12)["income"].met is False


def test_gate_guarantees_and_water():
    context = stable_candidate()
    housing = finding(context, "housing", HIGH, "住房安全等级为 C 级（局部危房）", "C")
    c = gate_of(context, [housing])["guarantees"]
    assert not c.met and "住房安全等级为 C 级" in c.zh and c.facts["findings"] == ["housing"]
    other = finding(context, "focus_line", MEDIUM, "低于重点关注线", "focus")
    assert gate_of(context, [other])["guarantees"].met  # not one of the blocking rules


def test_gate_helper():
    c = gate_of(stable_candidate(monitoring=monitored(days=200, helpers=0)))["helper"]
    assert not c.met and "未落实帮扶责任人" in c.zh
    assert "helper" not in gate_of(stable_candidate(monitoring=monitored(days=200, helpers=0)),
                                   elimination_candidate__need_helper=False)


def test_gate_measure():
    c = gate_of(stable_candidate(monitoring=monitored(days=200, measures=0)))["measure"]
    assert not c.met and "从未落实帮扶措施" in c.zh


def test_gate_labour_and_its_setting():
    old = ctx(members=[person("甲", 70, skill="普通劳动力")], visits=stable_candidate().visits, monitoring=monitored(days=200))
    c = gate_of(old)["labour"]
    assert not c.met and "16–64岁" in c.zh and "不能消除" in c.zh
    assert "labour" not in gate_of(old, elimination_candidate__allow_without_labour=True)
