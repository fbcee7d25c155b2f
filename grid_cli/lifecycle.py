"""The monitoring lifecycle of a household (DOMAIN.md): identified and included, a 帮扶责任人 assigned,
measures added and ended, risk eliminated, re-included. Each step is an append-only event; the
household's current standing is folded from its events by `standing()`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

from dateutil.relativedelta import relativedelta

from grid_cli import catalog
from grid_cli.clock import today
from grid_cli.errors import Refused, UsageError
from grid_cli.households import find_household, members_of
from grid_cli.ledger import Ledger
from grid_cli.parse import parse_date, parse_money, parse_month, parse_phone
from grid_cli.rules.base import Measure, Member, Monitoring

KINDS = ("include", "helper", "helper_end", "measure", "measure_end", "eliminate")
MAX_RISKS = 5
LOAN_MAX = 50_000  # 小额信贷 ≤ 50,000 yuan, ≤ 3 years (DOMAIN.md)
LOAN_YEARS = 3


def _date(value: Any, what: tuple[str, str]) -> str | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(value).isoformat()
    except UsageError as error:
        raise UsageError(f"{what[0]}：{error.zh}", f"{what[1]}: {error.en}") from None


# -- folding events into a standing ------------------------------------------------------------
def standing(events: Iterable[dict]) -> Monitoring:
    """The household's lifecycle state from its events, in (date, hlc) order. Pure."""
    monitored = eliminated = False
    category = identified = month = method = None
    risks: tuple[str, ...] = ()
    helpers: dict[str, dict] = {}
    measures: dict[str, Measure] = {}
    ever = 0
    for e in sorted(events, key=lambda e: (e.get("date") or "", e.get("hlc") or "")):
        data, kind = e["data"], e["kind"]
        if kind == "include":
            monitored, eliminated = True, False
            category, risks = data.get("category"), tuple(data.get("risks") or ())
            identified = dt.date.fromisoformat(data["identified"]) if data.get("identified") else None
            month = method = None
        elif kind == "eliminate":
            monitored, eliminated = False, True
            month, method = data.get("month"), data.get("method")
        elif kind == "helper":
            helpers[e["id"]] = data
        elif kind == "helper_end":
            helpers.pop(data.get("helper"), None)
        elif kind == "measure":
            ever += 1
            measures[e["id"]] = Measure(
                e["id"], data["kind"], _d(data.get("start")), None, data.get("amount"), _d(data.get("due")),
                data.get("detail", ""))
        elif kind == "measure_end":
            measures.pop(data.get("measure"), None)
    return Monitoring(monitored, category, risks, identified, eliminated, month, method,
                      tuple(helpers.values()), tuple(measures.values()), ever)


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def events_of(ledger: Ledger, household_id: str, kinds: Iterable[str] = KINDS) -> list[dict]:
    kinds = tuple(kinds)
    rows = ledger.query(
        f"SELECT id, kind, date, data, hlc FROM events WHERE household_id = ? AND kind IN ({','.join('?' * len(kinds))})"
        " ORDER BY date, hlc", (household_id, *kinds))
    for row in rows:
        row["data"] = json.loads(row["data"])
    return rows


def steps_by_household(ledger: Ledger, kinds: Iterable[str]) -> dict[str, list[dict]]:
    """Every household's steps of these kinds, each list in order (as `events_of`): one query for a ledger."""
    kinds = tuple(kinds)
    out: dict[str, list[dict]] = {}
    for row in ledger.query(f"SELECT household_id, id, kind, date, data, hlc FROM events WHERE kind IN"
                            f" ({','.join('?' * len(kinds))}) ORDER BY household_id, date, hlc", kinds):
        row["data"] = json.loads(row["data"])
        out.setdefault(row.pop("household_id"), []).append(row)
    return out


def current(ledger: Ledger, household_id: str) -> Monitoring:
    return standing(events_of(ledger, household_id))


# -- steps -------------------------------------------------------------------------------------
def include(ledger: Ledger, household_key: str, *, category: str, risks: list[str], identified: Any,
            village_review: Any = None, notice: Any = None, township_review: Any = None,
            county_approval: Any = None, source: str | None = None, reinclusion: bool = False) -> str:
    """识别纳入 (or 重新纳入): category, up to five risk types, and the review dates in order."""
    household = find_household(ledger, household_key)
    state = current(ledger, household["id"])
    if state.monitored:
        raise UsageError("该户已在监测中", "this household is already monitored",
                         hint_zh="如需修改风险类型，请先消除再重新纳入", hint_en="eliminate it first to re-include")
    if reinclusion and not state.eliminated:
        raise UsageError("该户未曾消除风险，应使用纳入而非重新纳入", "this household was never eliminated; include it instead")
    category = catalog.normalize("category", category)
    risks = list(dict.fromkeys(catalog.normalize("risk_type", r) for r in risks if str(r).strip()))
    if not 1 <= len(risks) <= MAX_RISKS:
        raise UsageError(f"风险类型应为1至{MAX_RISKS}项，现为{len(risks)}项",
                         f"give 1 to {MAX_RISKS} risk types, not {len(risks)}")
    steps = [
        ("identified", identified, ("识别监测时间", "identification date")),
        ("village_review", village_review, ("村级评议", "village review")),
        ("notice", notice, ("村级公示", "village notice")),
        ("township_review", township_review, ("乡镇审核", "township review")),
        ("county_approval", county_approval, ("县级审定", "county approval")),
    ]
    data: dict[str, Any] = {"category": category, "risks": risks, "source": source, "reinclusion": reinclusion}
    last = None
    for key, value, what in steps:
        data[key] = _date(value, what)
        if data[key] and last and data[key] < last[1]:
            raise UsageError(f"{what[0]}（{data[key]}）早于{last[0][0]}（{last[1]}）",
                             f"{what[1]} ({data[key]}) is before {last[0][1]} ({last[1]})")
        if data[key]:
            last = (what, data[key])
    if not data["identified"]:
        raise UsageError("必须填写识别监测时间", "the identification date is required")
    with ledger.write() as w:
        w.put("household", household["id"], {"category": category})
        return w.event("include", household["id"], data, date=data["identified"])


def assign_helper(ledger: Ledger, household_key: str, *, name: str, unit: str = "", phone: str | None = None,
                  start: Any = None) -> str:
    household = find_household(ledger, household_key)
    if not str(name).strip():
        raise UsageError("请填写帮扶责任人姓名", "give the helper's name")
    data = {"name": str(name).strip(), "unit": unit, "phone": parse_phone(phone) if phone else None,
            "start": _date(start, ("开始日期", "start")) or today().isoformat()}
    with ledger.write() as w:
        return w.event("helper", household["id"], data, date=data["start"])


def add_measure(ledger: Ledger, household_key: str, *, kind: str, detail: str = "", start: Any = None,
                amount: Any = None, due: Any = None) -> str:
    household = find_household(ledger, household_key)
    kind = catalog.normalize("measure", kind)
    start_date = _date(start, ("开始日期", "start")) or today().isoformat()
    data: dict[str, Any] = {"kind": kind, "detail": detail, "start": start_date}
    if amount not in (None, ""):
        data["amount"] = parse_money(amount, what=("金额", "amount"))
    if due not in (None, ""):
        data["due"] = parse_date(due, allow_future=True).isoformat()
        if data["due"] < start_date:
            raise UsageError("到期日早于开始日期", "the due date is before the start date")
    if kind == "金融帮扶" and data.get("amount"):
        if data["amount"] > LOAN_MAX:
            raise UsageError(f"小额信贷不超过 {LOAN_MAX:,} 元", f"a small loan is at most {LOAN_MAX:,} yuan")
        limit = (dt.date.fromisoformat(start_date) + relativedelta(years=LOAN_YEARS)).isoformat()
        if data.get("due") and data["due"] > limit:
            raise UsageError(f"小额信贷期限不超过{LOAN_YEARS}年（最晚 {limit}）", f"a small loan runs at most {LOAN_YEARS} years (until {limit})")
    with ledger.write() as w:
        return w.event("measure", household["id"], data, date=start_date)


def end_step(ledger: Ledger, household_key: str, step_id: str, *, kind: str, end: Any = None) -> str:
    """End a measure (kind 'measure') or a helper's assignment (kind 'helper')."""
    household = find_household(ledger, household_key)
    active = current(ledger, household["id"])
    ids = [m.id for m in active.measures] if kind == "measure" else \
        [e["id"] for e in events_of(ledger, household["id"], ("helper",))]
    matches = [i for i in ids if i == step_id or (len(step_id) >= 8 and (i.startswith(step_id) or i.endswith(step_id)))]
    if len(matches) != 1:
        raise UsageError(f"找不到在实施的{'措施' if kind == 'measure' else '帮扶责任人'}“{step_id}”",
                         f"no open {kind} '{step_id}'", hint_zh="用 grid household show 查看编号",
                         hint_en="see the ids with `grid household show`")
    end_date = _date(end, ("结束日期", "end")) or today().isoformat()
    with ledger.write() as w:
        return w.event(f"{kind}_end", household["id"], {kind: matches[0], "end": end_date}, date=end_date)


def eliminate(ledger: Ledger, household_key: str, *, method: str, month: Any, village_review: Any = None,
              notice: Any = None, township_review: Any = None, county_approval: Any = None) -> str:
    """风险消除 by 帮扶消除 or 自然消除, never for a household without working-age labour."""
    household = find_household(ledger, household_key)
    state = current(ledger, household["id"])
    if not state.monitored:
        raise UsageError("该户不在监测中，无需消除风险", "this household is not monitored")
    if method not in ("帮扶消除", "自然消除"):
        method = {"assisted": "帮扶消除", "natural": "自然消除"}.get(str(method).lower(), "")
        if not method:
            raise UsageError("消除方式应为 帮扶消除 或 自然消除", "method must be 帮扶消除 (assisted) or 自然消除 (natural)")
    on = today()
    members = [Member(m["id"], m["name"], m["relation"], _d(m.get("birth_date")), labour_skill=m.get("labour_skill"))
               for m in members_of(ledger, household["id"], active_only=True)]
    if not any(m.working_age_able(on) for m in members):
        raise Refused("该户无劳动年龄段劳动力，按政策不能消除风险", "a household without working-age labour cannot be eliminated",
                      hint_zh="继续监测并落实兜底保障", hint_en="keep monitoring it and secure social protection")
    month_text = parse_month(month)
    if month_text > f"{on.year:04d}-{on.month:02d}":
        raise UsageError(f"消除月份 {month_text} 晚于本月", f"the elimination month {month_text} is in the future")
    if state.identified and month_text < f"{state.identified.year:04d}-{state.identified.month:02d}":
        raise UsageError(f"消除月份 {month_text} 早于识别监测时间 {state.identified}",
                         f"the elimination month {month_text} is before the identification date {state.identified}")
    data = {"method": method, "month": month_text,
            "village_review": _date(village_review, ("村级评议", "village review")),
            "notice": _date(notice, ("村级公示", "village notice")),
            "township_review": _date(township_review, ("乡镇审核", "township review")),
            "county_approval": _date(county_approval, ("县级审定", "county approval"))}
    with ledger.write() as w:
        return w.event("eliminate", household["id"], data, date=data["county_approval"] or f"{month_text}-01")


# -- the monitoring state of an imported file ----------------------------------------------------
def read_import_state(raw: dict[str, Any]) -> dict[str, Any]:
    """Check the monitoring columns of one row (识别监测时间 20260815 or 202608, risks, elimination)."""
    from grid_cli.parse import parse_bool

    def fail(field: str, error: UsageError) -> UsageError:
        error.field = field
        return error

    out: dict[str, Any] = {}
    if raw.get("identified") not in (None, ""):
        text = str(raw["identified"]).strip().removesuffix(".0")
        try:
            out["identified"] = (f"{parse_month(text)}-01" if len(text) == 6 and text.isdigit()
                                 else parse_date(raw["identified"]).isoformat())
        except UsageError as error:
            raise fail("identified", error) from None
    risks = [raw[f"risk{i}"] for i in range(1, 6) if raw.get(f"risk{i}") not in (None, "")]
    try:
        out["risks"] = [catalog.normalize("risk_type", r) for r in risks]
    except UsageError as error:
        raise fail("risk1", error) from None
    if raw.get("eliminated") not in (None, ""):
        try:
            out["eliminated"] = parse_bool(raw["eliminated"])
        except UsageError as error:
            raise fail("eliminated", error) from None
    if raw.get("method") not in (None, ""):
        if str(raw["method"]).strip() not in ("帮扶消除", "自然消除"):
            raise fail("method", UsageError("风险消除方式应为 帮扶消除 或 自然消除", "the elimination method must be 帮扶消除 or 自然消除"))
        out["method"] = str(raw["method"]).strip()
    if raw.get("month") not in (None, ""):
        try:
            out["month"] = parse_month(str(raw["month"]).strip().removesuffix(".0"))
        except UsageError as error:
            raise fail("month", error) from None
    if out.get("eliminated") and not out.get("month"):
        raise fail("month", UsageError("风险已消除，但未填消除监测时间", "risk eliminated but no elimination month given"))
    return {k: v for k, v in out.items() if v not in (None, [])}


def adopt_import_state(ledger: Ledger, w, household_id: str, state: dict[str, Any], category: str | None) -> bool:
    """Write the include / eliminate events that an imported file states and the ledger does not have
    yet, inside the import's transaction; importing the same file again writes nothing. The national
    system's record is taken as fact: no labour check on an elimination that already happened there."""
    events = events_of(ledger, household_id, ("include", "eliminate"))
    wrote = False
    identified = state.get("identified")
    if identified and not any(e["kind"] == "include" and e["data"].get("identified") == identified for e in events):
        data = {"category": category or "边缘易致贫户", "risks": state.get("risks") or ["其他"], "identified": identified,
                "source": "导入", "reinclusion": False}
        w.event("include", household_id, data, date=identified)
        wrote = True
    month = state.get("month")
    if state.get("eliminated") and month and not any(e["kind"] == "eliminate" and e["data"].get("month") == month
                                                     for e in events):
        w.event("eliminate", household_id, {"method": state.get("method") or "帮扶消除", "month": month, "source": "导入"},
                date=f"{month}-01")
        wrote = True
    return wrote
