"""Each rule at its boundary: one case that passes and one that fails, on hand-built contexts."""

from __future__ import annotations

import datetime as dt

import pytest

from grid_cli.rules import (
    assistance_gap, education, elimination, focus_line, housing, income_below, income_fall, income_near,
    labour_no_work, measure_fit, medical, no_labour, rigid_spending, small_loan, social_protection, unstable_again,
    visit_overdue, water,
)
from grid_cli.rules.base import HIGH, INFO, MEDIUM, Measure, Monitoring, finding
from rulekit import TODAY, configs, ctx, income_visit, monitored, person, visit


def run(module, context, **overrides):
    return list(module.check(context, configs(**overrides)[module.ID]))


# -- income -------------------------------------------------------------------------------------
def test_income_exactly_at_threshold_is_not_below():
    assert run(income_below, ctx(visits=[income_visit(7600)])) == []


def test_income_one_yuan_under_threshold_is_flagged_with_the_numbers():
    [f] = run(income_below, ctx(visits=[income_visit(7599)]))
    assert f.severity == HIGH and f.grade == "red"
    assert "人均纯收入 7,599 元 < 监测标准 7,600 元" in f.zh
    assert f.facts["per_capita"] == 7599 and f.facts["threshold"] == 7600


def test_income_below_compares_exactly_not_after_rounding():
    # net 22,799 over 3 residents = 7,599.67 -> displays as 7,600 but is below the line
    context = ctx(visits=[visit(residents=3, wages=22799)])
    [f] = run(income_below, context)
    assert f.facts["per_capita"] == 7600


def test_income_counts_production_costs_and_all_components():
    context = ctx(visits=[visit(residents=2, wages=8000, business=5000, transfer=3000, costs=1000)])  # 7,500 pc
    assert run(income_below, context)
    context = ctx(visits=[visit(residents=2, wages=8000, business=5000, transfer=3000, costs=800)])  # 7,600 pc
    assert not run(income_below, context)


def test_warning_band_upper_edge():
    assert run(income_near, ctx(visits=[income_visit(11399)]))
    assert not run(income_near, ctx(visits=[income_visit(11400)]))
    assert not run(income_near, ctx(visits=[income_visit(7599)]))  # that is income_below's
    assert run(income_near, ctx(visits=[income_visit(7600)]))


def test_warning_band_is_configurable():
    assert not run(income_near, ctx(visits=[income_visit(9000)]), income_near_threshold__band=0.1)


def test_income_fall_boundary_against_previous_visit():
    at_30 = ctx(visits=[income_visit(10000, days_ago=40), income_visit(7000, days_ago=5)])
    over_30 = ctx(visits=[income_visit(10000, days_ago=40), income_visit(6999, days_ago=5)])
    assert run(income_fall, at_30) == []
    [f] = run(income_fall, over_30)
    assert f.severity == MEDIUM and "10,000" in f.zh and "6,999" in f.zh


def test_income_fall_against_a_year_ago_when_the_last_visit_already_fell():
    visits = [income_visit(12000, days_ago=380), income_visit(5000, days_ago=40), income_visit(5000, days_ago=5)]
    [f] = run(income_fall, ctx(visits=visits))
    assert f.facts["before"] == 12000 and f.severity == HIGH  # fell 58% > severe share 50%


def test_income_fall_needs_two_visits():
    assert run(income_fall, ctx(visits=[income_visit(100)])) == []


def test_rigid_spending_amount_boundary():
    assert not run(rigid_spending, ctx(visits=[visit(wages=100000, medical=20000)]))
    [f] = run(rigid_spending, ctx(visits=[visit(wages=100000, medical=20001)]))
    assert "20,001" in f.zh


def test_rigid_spending_share_of_income():
    assert not run(rigid_spending, ctx(visits=[visit(wages=20000, medical=10000)]))  # exactly half
    assert run(rigid_spending, ctx(visits=[visit(wages=20000, medical=10001)]))


# -- three guarantees and water ----------------------------------------------------------------
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


def test_medical_insurance_and_chronic_card():
    uninsured = person("潘花", 50, medical_insurance=False)
    [f] = run(medical, ctx(members=[uninsured]))
    assert "潘花" in f.zh and f.severity == HIGH
    chronic = person("甲", 60, health="长期慢性病", chronic_card=False, medical_insurance=True)
    [g] = run(medical, ctx(members=[chronic]))
    assert g.severity == MEDIUM
    assert run(medical, ctx(members=[person(medical_insurance=True)])) == []


@pytest.mark.parametrize("grade,flagged", [("A", False), ("B", False), ("C", True), ("D", True)])
def test_housing_grades(grade, flagged):
    assert bool(run(housing, ctx(visits=[visit(house_grade=grade)]))) is flagged


def test_water_quantity_boundary_and_dry_areas():
    assert not run(water, ctx(visits=[visit(water={"litres_per_person_day": 35})]))
    assert run(water, ctx(visits=[visit(water={"litres_per_person_day": 34})]))
    assert not run(water, ctx(visits=[visit(water={"litres_per_person_day": 20, "dry_area": True})]))


def test_water_convenience_reliability_quality():
    near = {"piped": False, "trip_minutes": 20}
    far = {"piped": False, "trip_minutes": 21, "distance_m": 900}
    close_by_distance = {"piped": False, "trip_minutes": 30, "distance_m": 800}
    assert not run(water, ctx(visits=[visit(water=near)]))
    assert run(water, ctx(visits=[visit(water=far)]))
    assert not run(water, ctx(visits=[visit(water=close_by_distance)]))
    assert not run(water, ctx(visits=[visit(water={"cut_days": 36})]))
    [f] = run(water, ctx(visits=[visit(water={"cut_days": 37, "quality_ok": False})]))
    assert "37" in f.zh and "水质" in f.zh


# -- labour ------------------------------------------------------------------------------------
def test_no_labour_elderly_household():
    old = [person("杜长", 79, skill="丧失劳动力"), person("杜妻", 77, "配偶", "无劳动力")]
    assert run(no_labour, ctx(members=old))
    assert not run(no_labour, ctx(members=[person("甲", 64)]))
    assert run(no_labour, ctx(members=[person("甲", 65)]))
    assert not run(no_labour, ctx(members=[person("甲", 40, skill=None)]))  # unknown is not proof
    assert run(no_labour, ctx(members=[person("甲", 70, skill=None)]))


def test_labour_but_nobody_works():
    idle = ctx(members=[person("甲", 35, work_status="未务工")], visits=[visit(residents=1, business=9000)])
    assert run(labour_no_work, idle)
    working = ctx(members=[person("甲", 35, work_status="县内务工")], visits=[visit(residents=1, business=9000)])
    assert not run(labour_no_work, working)
    wages = ctx(members=[person("甲", 35, work_status="未务工")], visits=[visit(residents=1, wages=1)])
    assert not run(labour_no_work, wages)
    ordinary = ctx(members=[person("甲", 35, work_status="未务工")], hh_type="一般农户")
    assert not run(labour_no_work, ordinary)  # not 脱贫户 and not monitored


def test_focus_line_for_lifted_households():
    assert run(focus_line, ctx(visits=[income_visit(9999)]))
    assert not run(focus_line, ctx(visits=[income_visit(10000)]))
    assert not run(focus_line, ctx(visits=[income_visit(9000)], hh_type="一般农户"))
    assert not run(focus_line, ctx(visits=[income_visit(7000)]))  # under the threshold: income_below's


# -- lifecycle and visits ------------------------------------------------------------------------
def test_assistance_gap_after_thirty_days():
    assert not run(assistance_gap, ctx(monitoring=monitored(days=30, measures=0, helpers=0)))
    found = run(assistance_gap, ctx(monitoring=monitored(days=31, measures=0, helpers=0)))
    assert {f.facts["missing"] for f in found} == {"helper", "measure"}
    assert not run(assistance_gap, ctx(monitoring=monitored(days=90)))


def test_small_loan_due_within_a_week_or_overdue():
    def loan(days):
        m = Measure("loan", "金融帮扶", TODAY - dt.timedelta(days=300), amount=30000, due=TODAY + dt.timedelta(days=days))
        return ctx(monitoring=Monitoring(measures=(m,)))
    assert not run(small_loan, loan(8))
    [f] = run(small_loan, loan(7))
    assert f.severity == MEDIUM and "30,000" in f.zh
    [g] = run(small_loan, loan(-1))
    assert g.severity == HIGH


def test_visit_overdue_boundary_and_must_visit_groups():
    assert not run(visit_overdue, ctx(visits=[visit(days_ago=31)]))
    [f] = run(visit_overdue, ctx(visits=[visit(days_ago=32)]))
    assert f.severity == MEDIUM and f.facts["days"] == 32
    [g] = run(visit_overdue, ctx(visits=[visit(days_ago=32)], flags=("低保",)))
    assert g.severity == HIGH and "低保" in g.zh
    [h] = run(visit_overdue, ctx(visits=[]))
    assert "尚未走访" in h.zh


def test_visit_interval_per_household_type():
    context = ctx(visits=[visit(days_ago=60)], hh_type="一般农户")
    assert not run(visit_overdue, context, visit_overdue__days_by_type={"一般农户": 92})


def test_quarterly_visits_for_lifted_households_but_monthly_for_must_visit_groups():
    quarterly = {"visit_overdue__days_by_type": {"脱贫户": 92}}  # seed 002 篇三
    assert not run(visit_overdue, ctx(visits=[visit(days_ago=80, wages=40000)]), **quarterly)
    [f] = run(visit_overdue, ctx(visits=[visit(days_ago=93, wages=40000)]), **quarterly)
    assert f.facts["interval"] == 92
    [g] = run(visit_overdue, ctx(visits=[visit(days_ago=40, wages=40000)], flags=("低保",)), **quarterly)
    assert g.severity == HIGH and g.facts["interval"] == 31  # 八必访: still monthly
    # a monitored 脱贫户 goes by its category, not its type
    assert run(visit_overdue, ctx(visits=[visit(days_ago=40, wages=40000)], monitoring=monitored()), **quarterly)
    assert not run(visit_overdue, ctx(visits=[visit(days_ago=40, wages=40000)], monitoring=monitored()),
                   visit_overdue__days_by_category={"边缘易致贫户": 45})


def stable_candidate(**kw):
    visits = [income_visit(9000, days_ago=d) for d in (200, 170, 140, 110, 80, 50, 20)]
    return ctx(**{"members": [person("甲", 40)], "visits": visits, "monitoring": monitored(days=200), **kw})


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


def eliminated(on_days_ago=60, month="2026-09") -> Monitoring:
    return Monitoring(eliminated=True, eliminated_month=month, state="风险已消除",
                      eliminated_on=TODAY - dt.timedelta(days=on_days_ago))


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


# -- labour, 应保尽保, 缺什么补什么 ------------------------------------------------------------------
def test_weak_or_half_labour_counts_by_default_and_is_configurable():
    weak = ctx(members=[person("甲", 50, skill="弱劳动力或半劳动力")])
    assert run(no_labour, weak) == []  # seed 003 counts 弱半劳动能力
    [f] = run(no_labour, weak, labour__skills=["普通劳动力", "技能劳动力"])
    assert "16–64" in f.zh
    assert run(no_labour, ctx(members=[person("甲", 62)]), labour__max_age=60)


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


def test_measures_must_answer_the_risk_types():
    def case(*kinds, risks=("因学",), days=60):
        ms = tuple(Measure(f"m{i}", k, TODAY) for i, k in enumerate(kinds))
        return ctx(monitoring=Monitoring(monitored=True, risks=risks, identified=TODAY - dt.timedelta(days=days),
                                         measures=ms, measures_ever=len(ms)))
    [f] = run(measure_fit, case("产业帮扶"))
    assert "风险类型“因学”无对应的帮扶措施（可用：义务教育保障、其他教育帮扶）" in f.zh and f.facts["risks"] == ["因学"]
    assert not run(measure_fit, case("义务教育保障"))
    assert not run(measure_fit, case("产业帮扶", days=20))  # within the month
    assert not run(measure_fit, case())  # no measure at all: assistance_gap's
    assert not run(measure_fit, case("产业帮扶", risks=("其他",)))  # any measure answers 其他
    [two] = run(measure_fit, case("产业帮扶", risks=("因学", "因病")))
    assert two.facts["risks"] == ["因学", "因病"]
    assert not run(measure_fit, case("产业帮扶"), measure_fit__mapping={"因学": ["产业帮扶"]})


# -- 回头看 --------------------------------------------------------------------------------------------
def test_followup_due_each_quarter_after_elimination():
    from grid_cli.rules import followup

    # today 2026-11-22 is in Q4 (2026-10-01..12-31); eliminated 60 days ago = 2026-09-23, before Q4
    [f] = run(followup, ctx(visits=[income_visit(9000, days_ago=10)], monitoring=eliminated(60)))
    assert f.severity == INFO and f.facts["period"] == ["2026-10-01", "2026-12-31"] and "从未回头看" in f.zh
    done = visit(days_ago=10, wages=18000, followup=True)
    assert not run(followup, ctx(visits=[done], monitoring=eliminated(60)))
    last_quarter = visit(days_ago=70, wages=18000, followup=True)  # 2026-09-13: Q3's, not this quarter's
    [g] = run(followup, ctx(visits=[last_quarter], monitoring=eliminated(90)))
    assert "上次回头看 2026-09-13" in g.zh
    assert not run(followup, ctx(monitoring=eliminated(30)))  # eliminated 2026-10-23, in this quarter: next quarter's
    assert not run(followup, ctx(monitoring=monitored()))
    assert run(followup, ctx(monitoring=eliminated(30)), followup_due__months=1)  # monthly: due in November
    assert followup.period(dt.date(2026, 12, 31), 6) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))


# -- the elimination gate: one test per criterion -----------------------------------------------------
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
