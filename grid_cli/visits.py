"""Home visits (`grid visit`): what a monitor records at a household, checked and saved as one event.

The visit is validated as a whole before anything is written: a bad answer never saves half a visit.
Facts about members observed at the visit (schooling, insurance, health, work) also update the member
records, in the same transaction. JSON keys are documented in the README (`--from-file`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grid_cli import catalog
from grid_cli.errors import UsageError
from grid_cli.fields import clean
from grid_cli.households import find_household, members_of
from grid_cli.i18n import lang, tr
from grid_cli.idcard import shown
from grid_cli.ledger import Ledger
from grid_cli.parse import FIRST_YEAR, parse_bool, parse_date, parse_money
from grid_cli.model import per_capita

EVENT_TYPES = {
    "illness": ("患病", "illness"), "disability": ("致残", "disability"), "disaster": ("自然灾害", "natural disaster"),
    "accident": ("意外事故", "accident"), "job_loss": ("失业", "job loss"), "business_failure": ("经营失败", "business failure"),
}
_EVENT_ALIASES = ({zh: key for key, (zh, _en) in EVENT_TYPES.items()}
                  | {en: key for key, (_zh, en) in EVENT_TYPES.items()}
                  | {"大病": "illness", "疾病": "illness", "灾害": "disaster", "事故": "accident", "disease": "illness"})


def event_names() -> str:
    """The sudden-event types as a person may type them, in the language in use."""
    if lang() == "zh":
        return "、".join(zh for zh, _ in EVENT_TYPES.values())
    return ", ".join(f"{key} ({zh})" for key, (zh, _en) in EVENT_TYPES.items())


def event_type(value: Any) -> str:
    """A sudden event's type as typed (患病, illness, job loss, job_loss ...) -> its key."""
    text = str(value).strip()
    key = _EVENT_ALIASES.get(text) or _EVENT_ALIASES.get(text.lower()) or text.lower().replace(" ", "_")
    if key in EVENT_TYPES:
        return key
    try:  # a kind of disaster (flood, 地震) typed where the event's type is asked
        term = catalog.normalize("disaster_type", text)
        aside = (f"（{term}属于自然灾害：先填 自然灾害，再填灾害类型）", f" ({text} is a natural disaster: give disaster, then {text})")
    except UsageError:
        aside = ("", "")
    raise UsageError(f"“{text}”不是突发事件类型{aside[0]}；应为 {'、'.join(z for z, _ in EVENT_TYPES.values())} 之一",
                     f"'{text}' is not a sudden-event type{aside[1]}; use one of "
                     f"{', '.join(f'{k} ({z})' for k, (z, _) in EVENT_TYPES.items())}")


# Whole numbers a visit counts that are not money: what they are (zh, en), their unit (zh, en), the most
# that is plausible. A count typed in words ("三天") is explained in its own terms, not as an amount.
COUNTS = {
    "litres_per_person_day": (("每人每天用水量", "water per person per day"), ("升", "litres"), 1000),
    "trip_minutes": (("单次取水往返时间", "one water trip"), ("分钟", "minutes"), 600),
    "distance_m": (("取水距离", "distance to water"), ("米", "metres"), 100_000),
    "vertical_m": (("取水垂直距离", "height to climb for water"), ("米", "metres"), 5000),
    "cut_days": (("一年断水天数", "days without water in a year"), ("天", "days"), 366),
}


def parse_count(field: str, value: Any) -> int:
    """A count (days, minutes, litres, metres): a whole number from 0 to its plausible limit."""
    (zh, en), (unit_zh, unit_en), most = COUNTS[field]
    text = str(value).strip().removesuffix(unit_zh).strip() if not isinstance(value, (int, float)) else value
    try:
        number = int(text) if not isinstance(text, float) else (int(text) if text.is_integer() else None)
    except ValueError:
        number = None
    if number is None or isinstance(value, bool) or not 0 <= number <= most:
        raise UsageError(f"{zh}应是 0 到 {most} 之间的整数（{unit_zh}），而不是“{value}”",
                         f"{en} must be a whole number of {unit_en} from 0 to {most}, not '{value}'")
    return number


EARLIEST_VISIT = dt.date(FIRST_YEAR, 1, 1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _checked(parse: Callable[[Any], Any], value: Any, *, empty: Any = None) -> Any:
    """One of our parsers as a validator: an empty answer is `empty`, a UsageError pydantic's ValueError
    with the message in the language in use."""
    if value in (None, ""):
        return empty
    try:
        return parse(value)
    except UsageError as error:
        raise ValueError(error.message(lang())) from None


def _money(value: Any) -> int:
    return _checked(lambda v: parse_money(v, what=("金额", "amount")), value, empty=0)


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
    litres_per_person_day: Optional[int] = None
    dry_area: bool = False
    piped: Optional[bool] = None
    trip_minutes: Optional[int] = None
    distance_m: Optional[int] = None
    vertical_m: Optional[int] = None
    cut_days: Optional[int] = None
    quality_ok: Optional[bool] = None

    @field_validator("dry_area", "piped", "quality_ok", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> bool | None:
        return _bool(value)

    @field_validator(*COUNTS, mode="before")
    @classmethod
    def _count(cls, value: Any, info) -> int | None:
        return _checked(lambda v: parse_count(info.field_name, v), value)


class VisitEvent(_Strict):
    type: str
    subtype: Optional[str] = None
    detail: str = ""
    cost: Optional[int] = None

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> str:
        try:
            return event_type(value)
        except UsageError as error:
            raise ValueError(error.message(lang())) from None

    @field_validator("cost", mode="before")
    @classmethod
    def _cost(cls, value: Any) -> int | None:
        return _checked(lambda v: parse_money(v, what=("金额", "amount")), value)


class MemberUpdate(_Strict):
    """Member facts seen at the visit; given as official terms (在校生状况 ...) or their labels."""

    school_status: Optional[str] = None
    dropout_reason: Optional[str] = None
    medical_insurance: Optional[bool] = None
    chronic_card: Optional[bool] = None
    health: Optional[str] = None
    work_status: Optional[str] = None
    labour_skill: Optional[str] = None

    @field_validator("medical_insurance", "chronic_card", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> bool | None:
        return _bool(value)


def _bool(value: Any) -> bool | None:
    """是/否, yes/no, true/false as typed or in a file."""
    return _checked(parse_bool, value)


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
        return _checked(house_grade, value)


def house_grade(value: Any) -> str:
    """危房等级 as typed: 'c', 'C级' -> 'C'."""
    grade = str(value).strip().upper().removesuffix("级")
    if grade not in ("A", "B", "C", "D"):
        raise UsageError(f"危房等级应为 A、B、C 或 D，而不是“{value}”", f"the house grade must be A, B, C or D, not '{value}'")
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


INCOME_OPTIONS = "--wages/--business/--property/--transfer"


def require_income(prev: dict | None, raw: dict[str, Any]) -> None:
    """A first visit must state the income: an income left out would be saved as 0 and grade the household
    red. Later visits keep the previous visit's figures."""
    if prev is None and not any(v not in (None, "") for v in (raw.get("income") or {}).values()):
        raise UsageError("首次走访须填写收入（没有的项填 0）", "a first visit needs its income (0 where there is none)",
                         hint_zh=f"用 {INCOME_OPTIONS} 或走访文件的 income 给出",
                         hint_en=f"give {INCOME_OPTIONS}, or income in the visit file")


def require_members(members: list[dict]) -> None:
    if not members:
        raise UsageError("该户没有在册成员，无法计算人均收入", "this household has no active members; add members first")


def record(ledger: Ledger, household_key: str, raw: dict[str, Any], *, drop_draft: bool = False) -> tuple[str, dict]:
    """Check and save a visit. Returns (visit id, the stored data). `drop_draft`: the visit was entered
    from the household's draft, which goes in the same transaction (never a saved visit and its draft)."""
    household = find_household(ledger, household_key)
    prev = previous(ledger, household["id"])
    require_income(prev, raw)
    visit = parse_visit(raw)
    if visit.followup:
        from grid_cli.standing import current

        if current(ledger, household["id"]).state != "风险已消除":
            raise UsageError("回头看只针对风险已消除的户", "a follow-up (回头看) is for a household whose risk was eliminated")
    members = members_of(ledger, household["id"], active_only=True)
    require_members(members)
    if visit.residents:
        residents = list(dict.fromkeys(_member_ref(members, r)["id"] for r in visit.residents))
    else:
        residents = default_residents(members, prev)
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
        if drop_draft:
            w.conn.execute("DELETE FROM visit_drafts WHERE household_id = ?", (household["id"],))
    return visit_id, data


# -- drafts: a guided visit's answers before it is saved (schema migration 10) ------------------------
def read_draft(ledger: Ledger, household_id: str) -> tuple[dict[str, Any], str] | None:
    """(answers, when saved as UTC ISO time) of the household's unfinished visit, or None."""
    row = ledger.conn.execute("SELECT answers, saved_at FROM visit_drafts WHERE household_id = ?",
                              (household_id,)).fetchone()
    return (json.loads(row[0]), row[1]) if row else None


def save_draft(ledger: Ledger, household_id: str, answers: dict[str, Any]) -> None:
    """Keep the answers so far (one statement, so atomic: a crash leaves the previous draft or this one)."""
    from grid_cli.clock import now_utc

    ledger.conn.execute("INSERT OR REPLACE INTO visit_drafts VALUES (?, ?, ?)",
                        (household_id, json.dumps(answers, ensure_ascii=False),
                         now_utc().isoformat(timespec="seconds")))


def drop_draft(ledger: Ledger, household_id: str) -> None:
    ledger.conn.execute("DELETE FROM visit_drafts WHERE household_id = ?", (household_id,))


def count_drafts(ledger: Ledger) -> int:
    return ledger.conn.execute("SELECT count(*) FROM visit_drafts").fetchone()[0]
