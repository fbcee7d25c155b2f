"""Each rule at its boundary: one case that passes and one that fails, on hand-built contexts."""

from __future__ import annotations

import datetime as dt

import pytest

from grid_cli.rules import (
    assistance_gap, education, elimination, focus_line, housing, income_below, income_fall, income_near,
    labour_no_work, medical, no_labour, rigid_spending, small_loan, unstable_again, visit_overdue, water,
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


def stable_candidate(**kw):
    visits = [income_visit(9000, days_ago=d) for d in (200, 170, 140, 110, 80, 50, 20)]
    return ctx(members=[person("甲", 40)], visits=visits, monitoring=monitored(days=200), **kw)


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


def test_eliminated_household_unstable_again_suggests_reinclusion():
    import dataclasses

    gone = ctx(monitoring=Monitoring(eliminated=True, eliminated_month="2026-09"))
    assert run(unstable_again, gone) == []
    with_risk = dataclasses.replace(gone, prior=(finding(gone, "income_below_threshold", HIGH, "收入低", "low"),))
    [f] = run(unstable_again, with_risk)
    assert "重新纳入" in f.zh and "2026-09" in f.zh
