"""The engine: deterministic order, two phases, and a crashing rule becomes a finding."""

from __future__ import annotations

import types

from grid_cli.rules import engine, registry
from grid_cli.rules.base import HIGH, MEDIUM, grade_of
from grid_cli.rules.params import RuleConfig
from rulekit import configs, ctx, income_visit, person, visit


def test_same_input_same_findings_in_the_same_order():
    contexts = [ctx(visits=[income_visit(5000), visit(days_ago=50, house_grade="C")]),
                ctx(members=[person("甲", 80, skill="无劳动力")], visits=[], hh_no="0002")]
    first = [f.as_dict() for f in engine.evaluate(contexts, configs())]
    second = [f.as_dict() for f in engine.evaluate(list(reversed(contexts)), configs())]
    assert first == second and first


def test_grade_is_the_worst_finding():
    red = list(engine.evaluate([ctx(visits=[income_visit(5000)])], configs()))
    assert grade_of(red) == "red"
    assert grade_of([]) == "green"


def test_after_phase_sees_the_other_findings():
    # overdue + low income: the low income makes it a must-visit (八必访), so high severity
    found = list(engine.evaluate([ctx(visits=[income_visit(5000, days_ago=40)])], configs()))
    overdue = [f for f in found if f.rule == "visit_overdue"]
    assert overdue and overdue[0].severity == HIGH and "收入低或下降" in overdue[0].zh


def test_a_crashing_rule_becomes_a_finding_and_the_others_still_run(monkeypatch):
    def boom(context, config):
        raise ZeroDivisionError("division by zero")
        yield  # pragma: no cover

    cfgs = {**configs(), "broken": RuleConfig(enabled=True)}
    broken = types.SimpleNamespace(ID="broken", TITLE=("坏", "broken"), Config=RuleConfig, check=boom)
    monkeypatch.setitem(registry.RULES, "broken", broken)
    found = list(engine.evaluate([ctx(visits=[income_visit(5000)])], cfgs))
    crash = [f for f in found if f.rule == "broken"]
    assert crash and crash[0].severity == MEDIUM and "ZeroDivisionError" in crash[0].zh
    assert any(f.rule == "income_below_threshold" for f in found)


def test_a_disabled_rule_is_silent():
    found = list(engine.evaluate([ctx(visits=[income_visit(5000)])], configs(income_below_threshold__enabled=False)))
    assert not any(f.rule == "income_below_threshold" for f in found)


def test_every_rule_has_docs_defaults_and_a_title():
    from grid_cli.resources import load_json

    from grid_cli.rules.config import rule_configs
    from grid_cli.rules.policy import POLICY

    defaults = load_json("rules.json")
    assert set(defaults) == set(registry.RULES) | set(POLICY)
    for rule_id, module in registry.RULES.items():
        assert module.__doc__ and "Fail" in module.__doc__ and "Pass" in module.__doc__, rule_id
        assert len(module.TITLE) == 2
    assert set(rule_configs({})) == set(defaults)  # every rule and policy section validates its defaults
