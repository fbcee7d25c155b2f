"""Home visits (`grid visit`): what a monitor records at a household, checked and saved as one event.

The visit is validated as a whole before anything is written: a bad answer never saves half a visit.
Facts about members observed at the visit (schooling, insurance, health, work) also update the member
records, in the same transaction. JSON keys are documented in the README (`--from-file`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grid_cli import catalog
from grid_cli.errors import UsageError
from grid_cli.fields import clean
from grid_cli.households import find_household, members_of
from grid_cli.i18n import lang, tr
from grid_cli.idcard import shown
from grid_cli.ledger import Ledger
from grid_cli.parse import FIRST_YEAR, parse_date, parse_money
from grid_cli.rules.base import per_capita

EVENT_TYPES = {
    "illness": ("患病", "illness"), "disability": ("致残", "disability"), "disaster": ("自然灾害", "natural disaster"),
    "accident": ("意外事故", "accident"), "job_loss": ("失业", "job loss"), "business_failure": ("经营失败", "business failure"),
}
_EVENT_ALIASES = {zh: key for key, (zh, _en) in EVENT_TYPES.items()} | {"大病": "illness", "疾病": "illness",
                                                                        "灾害": "disaster", "事故": "accident"}


EARLIEST_VISIT = dt.date(FIRST_YEAR, 1, 1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _money(value: Any) -> int:
    try:
        return parse_money(value if value not in (None, "") else 0, what=("金额", "amount"))
    except UsageError as error:
        raise ValueError(error.message(lang())) from None


class Income(_Strict):
    """Annual estimates in whole yuan (工资性, 生产经营性, 财产性, 转移性) and production costs."""

    wages: int = 0
    business: int = 0
    property: int = 0
    transfer: int = 0
    production_costs: int = 0

    @field_validator("*", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> int:
        return _money(value)

    def net(self) -> int:
        return self.wages + self.business + self.property + self.transfer - self.production_costs


class Spending(_Strict):
    """合规自付支出 this year: medical first, then other rigid spending (schooling, disaster repair...)."""

    medical: int = 0
    other_rigid: int = 0

    @field_validator("*", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> int:
        return _money(value)


class Water(_Strict):
    litres_per_person_day: Optional[int] = Field(None, ge=0, le=1000)
    dry_area: bool = False
    piped: Optional[bool] = None
    trip_minutes: Optional[int] = Field(None, ge=0, le=600)
    distance_m: Optional[int] = Field(None, ge=0, le=100000)
    vertical_m: Optional[int] = Field(None, ge=0, le=5000)
    cut_days: Optional[int] = Field(None, ge=0, le=366)
    quality_ok: Optional[bool] = None


class VisitEvent(_Strict):
    type: str
    subtype: Optional[str] = None
    detail: str = ""
    cost: Optional[int] = None

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> str:
        text = str(value).strip()
        key = _EVENT_ALIASES.get(text, text.lower())
        if key not in EVENT_TYPES:
            raise ValueError(tr(f"事件类型应为 {'、'.join(z for z, _ in EVENT_TYPES.values())} 之一",
                                f"event type must be one of {', '.join(EVENT_TYPES)}"))
        return key

    @field_validator("cost", mode="before")
    @classmethod
    def _cost(cls, value: Any) -> int | None:
        return None if value in (None, "") else _money(value)


class MemberUpdate(_Strict):
    """Member facts seen at the visit; given as official terms (在校生状况 ...) or their labels."""

    school_status: Optional[str] = None
    dropout_reason: Optional[str] = None
    medical_insurance: Optional[bool] = None
    chronic_card: Optional[bool] = None
    health: Optional[str] = None
    work_status: Optional[str] = None
    labour_skill: Optional[str] = None


class VisitInput(_Strict):
    date: dt.date
    visitor: str = Field(min_length=1)
    channel: Literal["入户", "电话"] = "入户"
    income: Income = Field(default_factory=Income)
    spending: Spending = Field(default_factory=Spending)
    residents: Optional[list[str]] = None
    members: dict[str, MemberUpdate] = Field(default_factory=dict)
    house_grade: Optional[Literal["A", "B", "C", "D"]] = None
    water: Optional[Water] = None
    events: list[VisitEvent] = Field(default_factory=list)
    needs: str = ""
    notes: str = ""
    followup: bool = False  # 回头看: a follow-up visit to a household whose risk was eliminated

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> dt.date:
        try:
            day = parse_date(value)
        except UsageError as error:
            raise ValueError(error.message(lang())) from None
        if day < EARLIEST_VISIT:
            raise ValueError(tr(f"走访日期 {day} 早于 {EARLIEST_VISIT}（防止返贫动态监测始于2020年），请核对",
                                f"the visit date {day} is before {EARLIEST_VISIT}, when this monitoring began; please check"))
        return day

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> str:
        return catalog.normalize("visit_channel", value)

    @field_validator("house_grade", mode="before")
    @classmethod
    def _grade(cls, value: Any) -> str | None:
        if value in (None, ""):
            return None
        grade = str(value).strip().upper().removesuffix("级")
        if grade not in ("A", "B", "C", "D"):
            raise ValueError(tr(f"危房等级应为 A、B、C 或 D，而不是“{value}”", f"house grade must be A, B, C or D, not '{value}'"))
        return grade


def parse_visit(raw: dict[str, Any]) -> VisitInput:
    """Validate a whole visit; the first problem becomes one UsageError naming the field."""
    try:
        return VisitInput.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(shown(p) for p in first["loc"]) or "visit"
        message = first["msg"].removeprefix("Value error, ")
        raise UsageError(f"走访记录 {where}：{message}", f"visit {where}: {message}") from None
    except UsageError:
        raise


def _member_ref(members: list[dict], ref: str) -> dict:
    ref = str(ref).strip()
    hits = [m for m in members if ref in (m["id"], (m.get("id_number") or "").upper(), m["name"])
            or (len(ref) >= 8 and m["id"].startswith(ref))]
    if len(hits) != 1:
        raise UsageError(f"本户没有成员“{shown(ref)}”" if not hits else f"“{shown(ref)}”对应多名成员，请用证件号码",
                         f"no member '{shown(ref)}' in this household" if not hits
                         else f"'{shown(ref)}' matches several members; use the ID number")
    return hits[0]


def previous(ledger: Ledger, household_id: str) -> dict | None:
    """The household's latest visit (its data), to offer as defaults."""
    rows = ledger.query("SELECT id, date, data FROM events WHERE household_id = ? AND kind = 'visit' "
                        "ORDER BY date DESC, hlc DESC LIMIT 1", (household_id,))
    if not rows:
        return None
    return {"id": rows[0]["id"], **json.loads(rows[0]["data"])}


def default_residents(members: list[dict], prev: dict | None) -> list[str]:
    """Every active member, except those the previous visit found living away."""
    away = set((prev or {}).get("non_residents") or ())
    return [m["id"] for m in members if m["id"] not in away]


def record(ledger: Ledger, household_key: str, raw: dict[str, Any]) -> tuple[str, dict]:
    """Check and save a visit. Returns (visit id, the stored data)."""
    household = find_household(ledger, household_key)
    visit = parse_visit(raw)
    if visit.followup:
        from grid_cli.lifecycle import current

        if current(ledger, household["id"]).state != "风险已消除":
            raise UsageError("回头看只针对风险已消除的户", "a follow-up (回头看) is for a household whose risk was eliminated")
    members = members_of(ledger, household["id"], active_only=True)
    if not members:
        raise UsageError("该户没有在册成员，无法计算人均收入", "this household has no active members; add members first")
    if visit.residents:
        residents = list(dict.fromkeys(_member_ref(members, r)["id"] for r in visit.residents))
    else:
        residents = default_residents(members, previous(ledger, household["id"]))
    updates: list[tuple[str, dict]] = []
    for ref, update in visit.members.items():
        member = _member_ref(members, ref)
        values, errors = clean("member", update.model_dump(exclude_none=True))
        if errors:
            raise next(iter(errors.values()))
        updates.append((member["id"], values))
    for event in visit.events:
        if event.type == "disaster" and event.subtype:
            event.subtype = catalog.normalize("disaster_type", event.subtype)
    data = visit.model_dump(mode="json", exclude={"members"})
    data["residents"] = residents
    # who was away, so the next visit's default keeps them away but counts members added since
    data["non_residents"] = [m["id"] for m in members if m["id"] not in residents]
    data["member_updates"] = {member_id: values for member_id, values in updates}
    data["per_capita"] = per_capita(visit.income.net(), len(residents))
    with ledger.write() as w:
        visit_id = w.event("visit", household["id"], data, date=visit.date.isoformat())
        for member_id, values in updates:
            w.put("member", member_id, values)
    return visit_id, data
