"""The monitoring lifecycle of a household (DOMAIN.md), and who may record each step.

A grid proposes (识别纳入 or 风险消除: a case), holds the village review (民主评议) and posts the notice; the
township reviews (乡镇审核); the county approves (县级审定) or returns (退回). Each step is an append-only
event naming its case; `standing()` folds a household's events into where it stands: 待审核 / 待审定 until
the county approves an inclusion (then 监测中), 拟消除 until it approves an elimination (then 风险已消除).
A step at the wrong level is refused here, locally, and `forbidden_step()` refuses a bundle that carries one.
A record imported from the national system's export (source 导入) stands as approved: that system holds
only approved cases; the county can still confirm or return an imported elimination.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta

from grid_cli import catalog
from grid_cli.clock import today
from grid_cli.errors import Refused, UsageError
from grid_cli.households import find_household
from grid_cli.ledger import Ledger
from grid_cli.parse import parse_date, parse_month, parse_phone, parse_money, stored_date
from grid_cli.model import Case, Monitoring
from grid_cli.place import LEVEL_ZH, label, level_of
from grid_cli.rules.config import configs_in_force
from grid_cli.standing import IMPORTED, KINDS, MAX_RISKS, current, events_of, standing, steps_by_household

LOAN = "金融帮扶"

# Who records each step (seeds 001, 002; DOMAIN.md "Who decides what"), and with which command.
OWNER = {"include": "grid", "eliminate": "grid", "village_review": "grid", "notice": "grid",
         "township_review": "township", "county_approval": "county"}
STEP = {
    "include": ("识别纳入申请", "an inclusion proposal", "grid monitor include"),
    "eliminate": ("风险消除申请", "an elimination proposal", "grid monitor eliminate"),
    "village_review": ("村级民主评议", "the village review (民主评议)", "grid monitor village-review"),
    "notice": ("村级公示", "the village notice", "grid monitor notice"),
    "township_review": ("乡镇审核", "the township review (乡镇审核)", "grid monitor review"),
    "county_approval": ("县级审定", "the county approval (县级审定)", "grid monitor approve"),
    "return": ("退回", "returning a case (退回)", "grid monitor return"),
}
STAGE = {"include": ("纳入", "inclusion"), "eliminate": ("消除", "elimination")}


def _date(value: Any, what: tuple[str, str]) -> str | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(value).isoformat()
    except UsageError as error:
        raise UsageError(f"{what[0]}：{error.zh}", f"{what[1]}: {error.en}") from None


# -- who records what ----------------------------------------------------------------------------
def require_level(ledger: Ledger, step: str, *levels: str) -> str:
    """Refuse a step this ledger's level may not record, in one line that says who records it."""
    mine = level_of(ledger)
    owners = levels or (OWNER[step],)
    if mine not in owners:
        zh, en, command = STEP[step]
        who_zh = "或".join(LEVEL_ZH[o] for o in owners)
        raise Refused(f"{zh}由{who_zh}账本记录（{command}）；本账本是{LEVEL_ZH[mine]}账本，未作任何记录",
                      f"{en} is recorded by a {' or '.join(owners)} ledger ({command}); this is a {mine} ledger, "
                      "nothing was recorded")
    return mine


def _open_case(ledger: Ledger, household_key: str, *stages: str) -> tuple[dict, Monitoring, Case]:
    household = find_household(ledger, household_key)
    state = current(ledger, household["id"])
    case = state.case
    if case is None or (stages and case.stage not in stages):
        what = "、".join(STAGE[s][0] for s in stages) if stages else "纳入或消除"
        raise UsageError(f"户 {household['hh_no']} 没有待办的{what}申请（现状：{state.state or '未纳入监测'}）",
                         f"household {household['hh_no']} has no open {' or '.join(STAGE[s][1] for s in stages) or 'case'}"
                         f" (now: {_state_en(state.state) or 'not monitored'})",
                         hint_zh="用 grid monitor pending 查看待办", hint_en="see open cases with `grid monitor pending`")
    return household, state, case


def _state_en(state: str) -> str:
    from grid_cli.model import STATE_EN

    return STATE_EN.get(state, state)


def _decided(ledger: Ledger, household_id: str) -> dt.date | None:
    """The day of the household's latest approved decision (a county approval, or an imported record): a new
    proposal is dated on or after it, or it would fold in before the standing it changes."""
    rows = ledger.query("SELECT max(date) AS d FROM events WHERE household_id = ? AND ((kind = 'county_approval'"
                        " AND json_extract(data, '$.decision') = 'approve') OR (kind IN ('include', 'eliminate')"
                        " AND json_extract(data, '$.source') = ?))", (household_id, IMPORTED))
    return stored_date(rows[0]["d"])


def _after(day: str, floor: dt.date | None, what: tuple[str, str], before: tuple[str, str]) -> None:
    if floor is not None and day < floor.isoformat():
        raise UsageError(f"{what[0]}（{day}）早于{before[0]}（{floor}）", f"{what[1]} ({day}) is before {before[1]} ({floor})")


# -- a grid's steps --------------------------------------------------------------------------------
def _hub_dates(township_review: Any, county_approval: Any) -> None:
    """A grid typing a township review or a county approval date: refused, they are not its to record."""
    if township_review not in (None, ""):
        raise Refused(*_owner_line("township_review"))
    if county_approval not in (None, ""):
        raise Refused(*_owner_line("county_approval"))


def _owner_line(step: str) -> tuple[str, str]:
    zh, en, command = STEP[step]
    owner = OWNER[step]
    return (f"{zh}由{LEVEL_ZH[owner]}账本记录（{command}），不能在申请时填写；未作任何记录",
            f"{en} is recorded by the {owner} ledger ({command}), not typed with the proposal; nothing was recorded")


def _grid_steps(w, household_id: str, case_id: str, proposed: str, village_review: Any, notice: Any,
                days: int) -> None:
    """The village review and notice given with a proposal, as their own steps on it."""
    review_day = _date(village_review, ("村级民主评议", "village review"))
    notice_day = _date(notice, ("村级公示", "village notice"))
    if notice_day and not review_day:
        raise UsageError("公示须在村级民主评议之后，请同时给出 --village-review", "a notice follows the village review; give --village-review")
    if review_day:
        _after(review_day, stored_date(proposed), ("村级民主评议", "the village review"), ("申请", "the proposal"))
        w.event("village_review", household_id, {"case": case_id}, date=review_day)
    if notice_day:
        _after(notice_day, stored_date(review_day), ("村级公示", "the notice"), ("村级民主评议", "the village review"))
        w.event("notice", household_id, {"case": case_id, "days": days}, date=notice_day)


def include(ledger: Ledger, household_key: str, *, category: str, risks: list[str], identified: Any,
            village_review: Any = None, notice: Any = None, township_review: Any = None,
            county_approval: Any = None, source: str | None = None, reinclusion: bool = False) -> str:
    """识别纳入 (or 重新纳入), proposed by the grid: category, up to five risk types, the identification
    date; the village review and notice dates may come with it. It is 待审核 until the township reviews it."""
    require_level(ledger, "include")
    _hub_dates(township_review, county_approval)
    household = find_household(ledger, household_key)
    state = current(ledger, household["id"])
    if state.monitored:
        raise UsageError("该户已在监测中", "this household is already monitored",
                         hint_zh="如需修改风险类型，请先消除再重新纳入", hint_en="eliminate it first to re-include")
    if state.case is not None:
        raise UsageError(f"该户已有{STAGE[state.case.stage][0]}申请在办（{state.state}）",
                         f"this household already has an open {STAGE[state.case.stage][1]} case ({_state_en(state.state)})")
    if reinclusion and not state.eliminated:
        raise UsageError("该户未曾消除风险，应使用纳入而非重新纳入", "this household was never eliminated; include it instead")
    category = catalog.normalize("category", category)
    risks = list(dict.fromkeys(catalog.normalize("risk_type", r) for r in risks if str(r).strip()))
    if not 1 <= len(risks) <= MAX_RISKS:
        raise UsageError(f"风险类型应为1至{MAX_RISKS}项，现为{len(risks)}项",
                         f"give 1 to {MAX_RISKS} risk types, not {len(risks)}")
    identified_day = _date(identified, ("识别监测时间", "identification date"))
    if not identified_day:
        raise UsageError("必须填写识别监测时间", "the identification date is required")
    _after(identified_day, _decided(ledger, household["id"]), ("识别监测时间", "the identification date"),
           ("上一次审定", "the last approved decision"))
    data: dict[str, Any] = {"category": category, "risks": risks, "identified": identified_day, "source": source,
                            "reinclusion": reinclusion}
    days = configs_in_force(ledger)["notice"].days
    with ledger.write() as w:
        w.put("household", household["id"], {"category": category})  # the category proposed (监测对象类别)
        case_id = w.event("include", household["id"], data, date=identified_day)
        _grid_steps(w, household["id"], case_id, identified_day, village_review, notice, days)
    return case_id


def record_village_review(ledger: Ledger, household_key: str, *, on: Any = None) -> str:
    """村级民主评议 on the open case."""
    require_level(ledger, "village_review")
    household, _state, case = _open_case(ledger, household_key)
    if case.village_review:
        raise UsageError(f"已记录村级民主评议（{case.village_review}）", f"the village review is already recorded ({case.village_review})")
    day = _date(on, ("村级民主评议", "village review")) or today().isoformat()
    _after(day, case.proposed, ("村级民主评议", "the village review"), ("申请", "the proposal"))
    with ledger.write() as w:
        return w.event("village_review", household["id"], {"case": case.id}, date=day)


def record_notice(ledger: Ledger, household_key: str, *, start: Any = None, days: int | None = None) -> tuple[str, dt.date, int]:
    """村级公示 of the open case: it follows the village review and runs at least the configured days."""
    require_level(ledger, "notice")
    household, _state, case = _open_case(ledger, household_key)
    if not case.village_review:
        raise UsageError("尚未记录村级民主评议，不能公示", "no village review recorded yet: nothing to post",
                         hint_zh="先用 grid monitor village-review 记录", hint_en="record it with `grid monitor village-review` first")
    if case.notice:
        raise UsageError(f"已记录公示（{case.notice} 起 {case.notice_days} 天）", f"the notice is already recorded ({case.notice}, {case.notice_days} days)")
    floor = configs_in_force(ledger)["notice"].days
    days = floor if days is None else days
    if not floor <= days <= 90:
        raise UsageError(f"公示期应为 {floor}–90 天（现为 {days} 天）", f"the notice runs {floor} to 90 days (not {days})")
    day = _date(start, ("公示开始日期", "notice start")) or today().isoformat()
    _after(day, case.village_review, ("公示开始日期", "the notice"), ("村级民主评议", "the village review"))
    with ledger.write() as w:
        step = w.event("notice", household["id"], {"case": case.id, "days": days}, date=day)
    return step, dt.date.fromisoformat(day), days


def elimination_gate(ledger: Ledger, household_key: str) -> tuple[dict, Monitoring, list]:
    """The household, its standing and every elimination criterion with its numbers, as of today."""
    from grid_cli.findings import assess, year_in_force
    from grid_cli.rules.config import rule_configs
    from grid_cli.rules.elimination import gate

    household = find_household(ledger, household_key)
    result = assess(ledger, household_ids=[household["id"]])
    ctx = next((c for c in result.contexts if c.household_id == household["id"]), None)
    if ctx is None:
        raise UsageError(f"户 {household['hh_no']} 不是在册户", f"household {household['hh_no']} is not active")
    config = rule_configs(year_in_force(ledger, result.on)[1])["elimination_candidate"]
    return household, ctx.monitoring, gate(ctx, config, result.findings)


def eliminate(ledger: Ledger, household_key: str, *, method: str, month: Any, override: str | None = None,
              village_review: Any = None, notice: Any = None, township_review: Any = None,
              county_approval: Any = None, on: Any = None) -> tuple[str, list]:
    """风险消除 proposed by the grid (帮扶消除 or 自然消除), through the elimination gate: every unmet criterion
    refuses it, listed with its numbers, unless `override` gives the reason (recorded, audited, shown to the
    township and county). It is 拟消除 until the county approves it. Returns (case id, unmet criteria)."""
    require_level(ledger, "eliminate")
    _hub_dates(township_review, county_approval)
    household, state, criteria = elimination_gate(ledger, household_key)
    if state.case is not None:
        raise UsageError(f"该户已有{STAGE[state.case.stage][0]}申请在办（{state.state}）",
                         f"this household already has an open {STAGE[state.case.stage][1]} case ({_state_en(state.state)})")
    if not state.monitored:
        raise UsageError(f"该户不在监测中（{state.state or '未纳入'}），无需消除风险",
                         f"this household is not monitored ({_state_en(state.state) or 'never included'})")
    if method not in ("帮扶消除", "自然消除"):
        method = {"assisted": "帮扶消除", "natural": "自然消除"}.get(str(method).lower(), "")
        if not method:
            raise UsageError("消除方式应为 帮扶消除 或 自然消除", "method must be 帮扶消除 (assisted) or 自然消除 (natural)")
    on_day = today()
    month_text = parse_month(month)
    if month_text > f"{on_day.year:04d}-{on_day.month:02d}":
        raise UsageError(f"消除月份 {month_text} 晚于本月", f"the elimination month {month_text} is in the future")
    if state.identified and month_text < f"{state.identified.year:04d}-{state.identified.month:02d}":
        raise UsageError(f"消除月份 {month_text} 早于识别监测时间 {state.identified}",
                         f"the elimination month {month_text} is before the identification date {state.identified}")
    proposed = _date(on, ("申请日期", "proposal date")) or on_day.isoformat()
    _after(proposed, _decided(ledger, household["id"]), ("申请日期", "the proposal"), ("纳入审定", "the inclusion's approval"))
    unmet = [c for c in criteria if not c.met]
    reason = str(override or "").strip()
    if unmet and not reason:
        raise Refused(f"未满足风险消除条件 {len(unmet)} 项：" + "；".join(c.zh for c in unmet) + "。未作任何记录",
                      f"{len(unmet)} elimination criteria unmet: " + "; ".join(c.en for c in unmet) + ". Nothing was recorded",
                      hint_zh="确需提出请加 --override 原因（将报乡镇、县审核）",
                      hint_en="to propose it anyway give --override REASON (shown to the township and county)")
    data = {"method": method, "month": month_text, "gate": [c.as_dict() for c in unmet], "override": reason or None}
    days = configs_in_force(ledger)["notice"].days
    with ledger.write() as w:
        case_id = w.event("eliminate", household["id"], data, date=proposed)
        _grid_steps(w, household["id"], case_id, proposed, village_review, notice, days)
        if unmet:
            w.audit("elimination-override", f"{household['hh_no']}: {len(unmet)} criteria unmet")
    return case_id, unmet


# -- the township's and the county's steps ------------------------------------------------------------
def review(ledger: Ledger, household_key: str, *, on: Any = None) -> tuple[str, Case]:
    """乡镇审核 of the open case: after the village review and the whole notice period."""
    require_level(ledger, "township_review")
    household, _state, case = _open_case(ledger, household_key)
    if case.township:
        raise UsageError(f"已于 {case.township['date']} 乡镇审核，待县级审定", f"already reviewed on {case.township['date']}; awaiting the county")
    if not case.village_review or not case.notice:
        missing = "村级民主评议" if not case.village_review else "村级公示"
        raise UsageError(f"网格尚未记录{missing}，不能审核", f"the grid has not recorded the {'village review' if not case.village_review else 'notice'} yet",
                         hint_zh="待网格的同步包送达后再审核", hint_en="review it once the grid's bundle has arrived")
    day = _date(on, ("乡镇审核", "township review")) or today().isoformat()
    if day <= case.notice_end.isoformat():
        raise UsageError(f"乡镇审核日期 {day} 不能早于公示期结束（{case.notice} 至 {case.notice_end}）",
                         f"the township review ({day}) cannot be dated before the notice period ends ({case.notice} to {case.notice_end})")
    with ledger.write() as w:
        step = w.event("township_review", household["id"], {"case": case.id, "decision": "pass", "reason": None}, date=day)
    return step, case


def approve(ledger: Ledger, household_key: str, *, on: Any = None) -> tuple[str, Case]:
    """县级审定 of the open case, after the township's review; or the county's confirmation of an imported
    elimination."""
    require_level(ledger, "county_approval")
    household = find_household(ledger, household_key)
    state = current(ledger, household["id"])
    day = _date(on, ("县级审定", "county approval")) or today().isoformat()
    imported = _imported_elimination(ledger, household["id"], state)
    if state.case is None and imported is not None:
        with ledger.write() as w:
            step = w.event("county_approval", household["id"], {"case": imported.id, "decision": "approve", "reason": None}, date=day)
        return step, imported
    household, state, case = _open_case(ledger, household_key)
    if not case.township:
        raise UsageError("尚未乡镇审核，不能审定", "the township has not reviewed it yet",
                         hint_zh="待乡镇的同步包送达后再审定", hint_en="approve it once the township's bundle has arrived")
    _after(day, stored_date(case.township.get("date")), ("县级审定", "the county approval"), ("乡镇审核", "the township review"))
    with ledger.write() as w:
        step = w.event("county_approval", household["id"], {"case": case.id, "decision": "approve", "reason": None}, date=day)
    return step, case


def return_case(ledger: Ledger, household_key: str, *, reason: str, on: Any = None) -> tuple[str, Case]:
    """退回: the township (before its review) or the county (after it) sends a case back, with the reason."""
    mine = require_level(ledger, "return", "township", "county")
    reason = str(reason or "").strip()
    if not reason:
        raise UsageError("退回须写明原因（--reason）", "give the reason for returning it (--reason)")
    household = find_household(ledger, household_key)
    state = current(ledger, household["id"])
    day = _date(on, ("退回日期", "return date")) or today().isoformat()
    imported = _imported_elimination(ledger, household["id"], state) if mine == "county" else None
    if state.case is None and imported is not None:
        case = imported
    else:
        household, state, case = _open_case(ledger, household_key)
        if mine == "township" and case.township:
            raise UsageError("本乡镇已审核通过，退回由县级审定时决定", "already reviewed here: returning it is now the county's decision")
        if mine == "county" and not case.township:
            raise UsageError("尚未乡镇审核；退回由乡镇在审核时决定", "the township has not reviewed it: it is the township's to return")
    kind = "township_review" if mine == "township" else "county_approval"
    with ledger.write() as w:
        step = w.event(kind, household["id"], {"case": case.id, "decision": "return", "reason": reason}, date=day)
    return step, case


def unconfirmed_import(events: list[dict], state: Monitoring) -> dict | None:
    """The imported elimination a household stands on (events in order), if the county has not yet
    confirmed or returned it."""
    eliminations = [e for e in events if e["kind"] == "eliminate"]
    if not state.eliminated or not eliminations or eliminations[-1]["data"].get("source") != IMPORTED:
        return None
    last = eliminations[-1]
    if any(e["kind"] == "county_approval" and e["data"].get("case") == last["id"] for e in events):
        return None
    return last


def _imported_elimination(ledger: Ledger, household_id: str, state: Monitoring) -> Case | None:
    last = unconfirmed_import(events_of(ledger, household_id), state)
    return Case(last["id"], "eliminate", stored_date(last["date"]), last["data"], imported=True) if last else None


# -- helpers and measures (any level) -----------------------------------------------------------------
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
    """An assistance measure; a small loan (金融帮扶) within the year's limits (`small_loan_due.max_amount`,
    `max_years`; seed 000: ≤50,000 yuan, ≤3 years)."""
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
    if kind == LOAN and data.get("amount"):
        limits = configs_in_force(ledger)["small_loan_due"]
        if data["amount"] > limits.max_amount:
            raise UsageError(f"小额信贷不超过 {limits.max_amount:,} 元", f"a small loan is at most {limits.max_amount:,} yuan",
                             hint_zh="续贷、展期用 grid monitor extend 记录", hint_en="record a renewal or extension with `grid monitor extend`")
        limit = (dt.date.fromisoformat(start_date) + relativedelta(years=limits.max_years)).isoformat()
        if data.get("due") and data["due"] > limit:
            raise UsageError(f"小额信贷期限不超过{limits.max_years}年（最晚 {limit}）",
                             f"a small loan runs at most {limits.max_years} years (until {limit})",
                             hint_zh="续贷、展期用 grid monitor extend 记录", hint_en="record a renewal or extension with `grid monitor extend`")
    with ledger.write() as w:
        return w.event("measure", household["id"], data, date=start_date)


def _one_open(ids: list[str], step_id: str, kind: str) -> str:
    matches = [i for i in ids if i == step_id or (len(step_id) >= 8 and (i.startswith(step_id) or i.endswith(step_id)))]
    if len(matches) != 1:
        raise UsageError(f"找不到在实施的{'措施' if kind == 'measure' else '帮扶责任人'}“{step_id}”",
                         f"no open {kind} '{step_id}'", hint_zh="用 grid household show 查看编号",
                         hint_en="see the ids with `grid household show`")
    return matches[0]


def extend_loan(ledger: Ledger, household_key: str, measure_id: str, *, due: Any, kind: str, on: Any = None) -> str:
    """续贷 or 展期 of an open small loan (seed 000: extensions and renewals are within the policy): a new due
    date later than the current one; the loan's limits at the start do not bound it."""
    household = find_household(ledger, household_key)
    if kind not in ("续贷", "展期"):
        kind = {"renew": "续贷", "renewal": "续贷", "extend": "展期", "extension": "展期"}.get(str(kind).lower(), "")
        if not kind:
            raise UsageError("--kind 应为 续贷 或 展期", "--kind must be 续贷 (renewal) or 展期 (extension)")
    loans = [m for m in current(ledger, household["id"]).measures if m.kind == LOAN]
    measure = next(m for m in loans if m.id == _one_open([m.id for m in loans], measure_id, "measure"))
    new_due = parse_date(due, allow_future=True)
    if measure.due and new_due <= measure.due:
        raise UsageError(f"新的到期日 {new_due} 应晚于现到期日 {measure.due}", f"the new due date {new_due} must be after {measure.due}")
    day = _date(on, ("办理日期", "date")) or today().isoformat()
    with ledger.write() as w:
        return w.event("measure_extend", household["id"], {"measure": measure.id, "due": new_due.isoformat(), "type": kind},
                       date=day)


def end_step(ledger: Ledger, household_key: str, step_id: str, *, kind: str, end: Any = None) -> str:
    """End a measure (kind 'measure') or a helper's assignment (kind 'helper')."""
    household = find_household(ledger, household_key)
    active = current(ledger, household["id"])
    ids = [m.id for m in active.measures] if kind == "measure" else \
        [e["id"] for e in events_of(ledger, household["id"], ("helper",))]
    match = _one_open(ids, step_id, kind)
    end_date = _date(end, ("结束日期", "end")) or today().isoformat()
    with ledger.write() as w:
        return w.event(f"{kind}_end", household["id"], {kind: match, "end": end_date}, date=end_date)


# -- review lists ---------------------------------------------------------------------------------------
def cases(ledger: Ledger, *, open_only: bool = False) -> list[dict]:
    """Every active household with a lifecycle state (or, `open_only`, an open case or an imported elimination
    the county has not confirmed), with what each case has and still needs."""
    steps = steps_by_household(ledger, KINDS)
    heads = {r["household_id"]: r["name"] for r in ledger.query(
        "SELECT household_id, name FROM members WHERE relation = '户主' AND status = '正常'")}
    out = []
    for h in ledger.query("SELECT id, hh_no, grid, village FROM households WHERE status = '正常' ORDER BY grid, village, hh_no"):
        events = steps.get(h["id"], [])
        if not events:
            continue
        state = standing(events)
        case = state.case
        unconfirmed = unconfirmed_import(events, state) if case is None else None
        if open_only and case is None and unconfirmed is None:
            continue
        if not state.state and state.returned is None:
            continue  # never proposed (a helper or a measure only)
        row = {"household_id": h["id"], "hh_no": h["hh_no"], "grid": h["grid"], "village": h["village"],
               "head": heads.get(h["id"], ""), "state": state.state, "returned": state.returned}
        if case is not None:
            row.update(case_summary(case))
        elif unconfirmed is not None:
            row.update({"case": unconfirmed["id"], "stage": "eliminate", "imported": True,
                        "proposed": unconfirmed["date"], "method": unconfirmed["data"].get("method"),
                        "month": unconfirmed["data"].get("month"), "next": "county_approval"})
        out.append(row)
    return out


def case_summary(case: Case) -> dict:
    """A case as a review list shows it: its steps, the next one due and who records it, an override."""
    nxt = ("village_review" if not case.village_review else "notice" if not case.notice
           else "township_review" if not case.township else "county_approval")
    return {"case": case.id, "stage": case.stage, "imported": case.imported,
            "proposed": case.proposed.isoformat() if case.proposed else None,
            "category": case.data.get("category"), "risks": case.data.get("risks"),
            "method": case.data.get("method"), "month": case.data.get("month"),
            "village_review": case.village_review.isoformat() if case.village_review else None,
            "notice": case.notice.isoformat() if case.notice else None,
            "notice_end": case.notice_end.isoformat() if case.notice_end else None,
            "township": case.township, "override": case.data.get("override"),
            "unmet": [c.get("zh") for c in case.data.get("gate") or [] if isinstance(c, dict)],
            "unmet_en": [c.get("en") for c in case.data.get("gate") or [] if isinstance(c, dict)],
            "next": nxt, "next_by": OWNER[nxt]}


# -- merging: a step its origin may not take --------------------------------------------------------------
def forbidden_step(conn, origins: dict[str, dict]) -> tuple[str, str] | None:
    """Called by the merge's scope check over the staged changes (temp table `stage`, joined to `changes`):
    the first change that claims a step its origin's level may not take, as a one-line reason (zh, en), or
    None. A forged approval from a grid, a review typed into a grid's proposal, rules from a grid: each
    refuses the whole bundle. `origins` maps each replica of the bundle to its place (level, code)."""
    marks = ",".join("?" * len(OWNER))
    rows = conn.execute(
        "SELECT s.entity, s.kind, c.origin, json_extract(c.body, '$.data.source'),"
        " coalesce(json_type(c.body, '$.data.township_review'), 'null'),"
        " coalesce(json_type(c.body, '$.data.county_approval'), 'null')"
        f" FROM stage s JOIN changes c ON c.seq = s.n WHERE (s.entity = 'event' AND s.kind IN ({marks}))"
        " OR s.entity = 'config'", tuple(OWNER))
    for entity, kind, origin, source, township, county in rows:
        place = origins.get(origin) or {}
        level, code = place.get("level"), place.get("code")
        who_zh, who_en = label(level, code)
        if entity == "config":
            if level not in ("township", "county"):
                return (f"同步包中有{who_zh}设定的年度规则（年度规则由县里设定），整包拒收",
                        f"the bundle holds rules set by {who_en} (the year's rules are the county's); refused whole")
            continue
        claimed = [kind]  # a proposal that carries a review or approval date claims those steps too
        if kind in ("include", "eliminate"):
            claimed += [step for step, held in (("township_review", township), ("county_approval", county)) if held != "null"]
        for step in claimed:
            owner = level if step in ("include", "eliminate") and source == IMPORTED else OWNER[step]
            if level != owner:
                zh, en, _command = STEP[step]
                return (f"同步包中有{who_zh}记录的{zh}（只有{LEVEL_ZH.get(owner, owner)}账本能记录），整包拒收",
                        f"the bundle holds {en} recorded by {who_en} (only a {owner} ledger records it); refused whole")
    return None


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
    system's record is taken as fact (source 导入: approved there), with no gate on an elimination that
    already happened there."""
    events = events_of(ledger, household_id, ("include", "eliminate"))
    wrote = False
    identified = state.get("identified")
    if identified and not any(e["kind"] == "include" and e["data"].get("identified") == identified for e in events):
        data = {"category": category or "边缘易致贫户", "risks": state.get("risks") or ["其他"], "identified": identified,
                "source": IMPORTED, "reinclusion": False}
        w.event("include", household_id, data, date=identified)
        wrote = True
    month = state.get("month")
    if state.get("eliminated") and month and not any(e["kind"] == "eliminate" and e["data"].get("month") == month
                                                     for e in events):
        w.event("eliminate", household_id, {"method": state.get("method") or "帮扶消除", "month": month, "source": IMPORTED},
                date=f"{month}-01")
        wrote = True
    return wrote
