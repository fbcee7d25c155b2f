"""What every rule sees and returns.

A rule looks at one household's `Context` (plain facts, already read from the ledger) and yields
`Finding`s: values that carry the rule id, a severity, the numbers that triggered it and a message in
the policy's own words. Rules never raise on purpose and never touch the ledger. A rule's parameters
are a `rules.params.RuleConfig` (pydantic), kept apart so that reading stored findings (`grid risk`)
loads no rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from grid_cli.model import Member, Monitoring, Visit, Visits

HIGH, MEDIUM, INFO = "high", "medium", "info"
GRADE = {HIGH: "red", MEDIUM: "yellow", INFO: "green"}
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, INFO: 2}


@dataclass
class Context:
    household_id: str
    hh_no: str
    village: str | None
    hh_type: str | None
    flags: tuple[str, ...]
    members: tuple[Member, ...]
    visits: Visits  # oldest first, decoded as read (a tuple of Visit is taken as well)
    monitoring: Monitoring
    threshold: int
    thresholds_by_year: dict[int, int]
    today: dt.date
    prior: tuple["Finding", ...] = ()  # set by the engine for rules that judge the others' findings (AFTER)
    dept: tuple = ()  # what department lists say about it (grid_cli/dept/facts.DeptFact), for rules/department.py

    def __post_init__(self) -> None:
        if type(self.visits) is not Visits:
            self.visits = Visits.of(self.visits)

    @property
    def last_visit(self) -> Visit | None:
        return self.visits[-1] if self.visits else None

    def residents(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.resident)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    household_id: str
    hh_no: str
    zh: str
    en: str
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def grade(self) -> str:
        return GRADE[self.severity]

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "grade": self.grade, "household_id": self.household_id,
                "hh_no": self.hh_no, "message_zh": self.zh, "message_en": self.en, "facts": self.facts}


def finding(ctx: Context, rule: str, severity: str, zh: str, en: str, **facts: Any) -> Finding:
    return Finding(rule, severity, ctx.household_id, ctx.hh_no, zh, en, facts)


def yuan(amount: int | float) -> str:
    return f"{amount:,.0f}"


def grade_of(findings: Iterable[Finding]) -> str:
    """红 if any high finding, 黄 if any medium, else 绿."""
    severities = {f.severity for f in findings}
    return "red" if "high" in severities else "yellow" if "medium" in severities else "green"
