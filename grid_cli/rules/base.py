"""What every rule sees and returns.

A rule looks at one household's `Context` (plain facts, already read from the ledger) and yields
`Finding`s: values that carry the rule id, a severity, the numbers that triggered it and a message in
the policy's own words. Rules never raise on purpose and never touch the ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from grid_cli.rules.policy import Labour

HIGH, MEDIUM, INFO = "high", "medium", "info"
GRADE = {HIGH: "red", MEDIUM: "yellow", INFO: "green"}
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, INFO: 2}


class RuleConfig(BaseModel):
    """Every rule's parameters; defaults come from data/rules.json, overrides from the year's config."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool


class LabourRuleConfig(RuleConfig):
    """A rule about the labour of the household types in `applies_to` ("监测户" stands for every monitored
    household); who counts as labour is the `labour` policy."""

    applies_to: list[str]
    labour: Labour

    def concerns(self, ctx: Context) -> bool:
        return ctx.hh_type in self.applies_to or (ctx.monitoring.monitored and "监测户" in self.applies_to)


@dataclass(slots=True)
class Member:
    id: str
    name: str
    relation: str | None
    birth_date: dt.date | None
    health: str | None = None
    chronic_card: bool | None = None
    labour_skill: str | None = None
    work_status: str | None = None
    school_status: str | None = None
    dropout_reason: str | None = None
    medical_insurance: bool | None = None
    dibao: bool | None = None
    tekun: bool | None = None
    resident: bool = True
    employee_medical_insurance: bool | None = None  # 城镇职工基本医疗保险 (national member export)

    def age(self, on: dt.date) -> int | None:
        if not self.birth_date:
            return None
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def one_year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def per_capita(net: int, residents: int) -> int:
    """家庭人均纯收入 in whole yuan, rounded half up. Rules compare `net` with threshold × residents
    exactly, so this rounding is only for display."""
    return (2 * net + residents) // (2 * residents) if residents > 0 else net


@dataclass(slots=True)
class Visit:
    id: str
    date: dt.date
    residents: int
    wages: int = 0
    business: int = 0
    property_income: int = 0
    transfer: int = 0
    production_costs: int = 0
    medical: int = 0
    other_rigid: int = 0
    house_grade: str | None = None
    water: dict[str, Any] = field(default_factory=dict)
    events: tuple[dict, ...] = ()
    followup: bool = False  # a 回头看 visit to an eliminated household

    @property
    def gross(self) -> int:
        return self.wages + self.business + self.property_income + self.transfer

    @property
    def net(self) -> int:
        return self.gross - self.production_costs

    @property
    def per_capita(self) -> int:
        return per_capita(self.net, self.residents)

    @property
    def rigid(self) -> int:
        return self.medical + self.other_rigid


@dataclass(frozen=True)
class Measure:
    id: str
    kind: str
    start: dt.date | None
    end: dt.date | None = None
    amount: int | None = None
    due: dt.date | None = None
    detail: str = ""
    extensions: int = 0  # 续贷 / 展期 recorded on a loan


# Where a case stands (DOMAIN.md, "Who decides what"): a proposal waits for the township's review and the
# county's approval; only then is a household monitored, or its risk eliminated.
PENDING_REVIEW, PENDING_APPROVAL, MONITORED, PROPOSED_ELIMINATION, ELIMINATED = (
    "待审核", "待审定", "监测中", "拟消除", "风险已消除")
STATE_EN = {PENDING_REVIEW: "pending township review", PENDING_APPROVAL: "pending county approval",
            MONITORED: "monitored", PROPOSED_ELIMINATION: "elimination proposed", ELIMINATED: "risk eliminated", "": ""}


@dataclass(frozen=True)
class Case:
    """A proposal (inclusion or elimination) and the steps recorded on it, in the order of the procedure."""

    id: str
    stage: str                          # include | eliminate
    proposed: dt.date | None
    data: dict = field(default_factory=dict, compare=False)
    village_review: dt.date | None = None
    notice: dt.date | None = None
    notice_days: int | None = None
    township: dict | None = None        # {"date", "decision": pass|return, "reason"}
    county: dict | None = None          # {"date", "decision": approve|return, "reason"}
    imported: bool = False              # taken from the national system's export

    @property
    def notice_end(self) -> dt.date | None:
        """The last day of the notice period."""
        return self.notice + dt.timedelta(days=self.notice_days - 1) if self.notice and self.notice_days else None


@dataclass(frozen=True)
class Monitoring:
    """Where the household stands in the lifecycle (DOMAIN.md), as read from its events. `monitored` and
    `eliminated` count approved decisions only; a proposal waiting for review is `case`, with its `state`."""

    monitored: bool = False
    category: str | None = None
    risks: tuple[str, ...] = ()
    identified: dt.date | None = None
    eliminated: bool = False
    eliminated_month: str | None = None
    elimination_method: str | None = None
    helpers: tuple[dict, ...] = ()  # active 帮扶责任人
    measures: tuple[Measure, ...] = ()  # active measures
    measures_ever: int = 0
    state: str = ""                 # 待审核 | 待审定 | 监测中 | 拟消除 | 风险已消除 | "" (never included)
    case: Case | None = None        # the open proposal, if any
    eliminated_on: dt.date | None = None  # the day the elimination was approved (or imported)
    returned: dict | None = None    # the latest 退回: {"stage", "level", "date", "reason"}
    decisions: tuple[dict, ...] = ()  # every decision that took effect, oldest first (see lifecycle.standing)


@dataclass
class Context:
    household_id: str
    hh_no: str
    village: str | None
    hh_type: str | None
    flags: tuple[str, ...]
    members: tuple[Member, ...]
    visits: tuple[Visit, ...]  # oldest first
    monitoring: Monitoring
    threshold: int
    thresholds_by_year: dict[int, int]
    today: dt.date
    prior: tuple["Finding", ...] = ()  # set by the engine for rules that judge the others' findings (AFTER)
    dept: tuple = ()  # what department lists say about it (grid_cli/dept/facts.DeptFact), for rules/department.py

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
