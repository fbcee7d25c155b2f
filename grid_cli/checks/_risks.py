"""What the risk-type checks share: a monitored household with a risk type and none of the facts behind it."""

from __future__ import annotations


def has_risk(risk: str) -> str:
    return f"EXISTS (SELECT 1 FROM json_each(risks) WHERE value = '{risk}')"


def without(risk: str, condition: str) -> str:
    """SQL: monitored, at risk `risk`, and `condition` (the fact behind the risk is missing)."""
    return f"monitored AND {has_risk(risk)} AND {condition}"


def message(risk: str, zh: str, en: str):
    return f"风险类型为{risk}，但{zh}", f"risk type {risk}, but {en}", {"risk": risk}
