"""What the risk-type checks share: a monitored household with a risk type and none of the facts behind it."""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import Problem, problem


def without(facts, check_id: str, risk: str, condition: str, zh: str, en: str) -> Iterator[Problem]:
    where = f"monitored AND EXISTS (SELECT 1 FROM json_each(risks) WHERE value = '{risk}') AND {condition}"
    for h in facts.households(where):
        yield problem(check_id, h, f"风险类型为{risk}，但{zh}", f"risk type {risk}, but {en}", risk=risk)


def has_risk(risk: str) -> str:
    return f"EXISTS (SELECT 1 FROM json_each(risks) WHERE value = '{risk}')"
