"""The public-notice list 公示名单 that hangs on the village board, for households whose inclusion (识别纳入) or
risk elimination (风险消除) case has passed the village's democratic review (村级民主评议) and awaits the
township's review: a household whose village review is not recorded is never on it.

Public notices must not show ID numbers, phone numbers, bank accounts or health status (DOMAIN.md), so
this module never reads those fields; risk types are left out as well, since 因病 / 因残 would disclose
health. The notice runs the configured period (`notice.days`, at least five days by default); a longer one
may be asked for, a shorter one may not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from grid_cli.clock import today as clock_today
from grid_cli.errors import UsageError
from grid_cli.exports.monthly import yyyymm
from grid_cli.exports.snapshot import month_range
from grid_cli.exports.table import Book, Sheet, Table
from grid_cli.i18n import tr
from grid_cli.ledger import Ledger
from grid_cli.place import address_of
from grid_cli.standing import KINDS, standing, steps_by_household
from grid_cli.parse import monitoring_year, parse_date
from grid_cli.rules.config import configs_in_force

STAGES = {"include": ("识别纳入", "inclusion"), "eliminate": ("风险消除", "risk elimination")}
MAX_DAYS = 90

# (header, width, wrap)
_COMMON = [("序号", 5, False), ("自然村", 9, True), ("组", 5, True), ("户主姓名", 10, True), ("家庭人口数", 7, False),
           ("户类型", 9, True), ("监测对象类别", 14, True), ("识别监测时间", 9, False)]
INCLUDE_COLUMNS = _COMMON + [("备注", 16, True)]
ELIMINATE_COLUMNS = _COMMON + [("风险消除方式", 10, True), ("消除监测时间", 9, False), ("备注", 12, True)]

# what a public notice may carry: nothing else is read from the ledger
_HOUSEHOLDS = """SELECT h.id, h.hh_no, h.village, h.group_no, h.hh_type, h.category,
  (SELECT name FROM members m WHERE m.household_id = h.id AND m.relation = '户主' AND m.status = '正常' LIMIT 1) AS head,
  (SELECT count(*) FROM members m WHERE m.household_id = h.id AND m.status = '正常') AS size
FROM households h WHERE h.status = '正常'"""


@dataclass
class Notice:
    book: Book
    stage: str
    start: dt.date
    end: dt.date
    households: int


def _zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def build_notice(ledger: Ledger, stage: str, *, month: Any = None, households: Iterable[str] = (),
                 start: Any = None, days: int | None = None, village: str | None = None,
                 contact: str | None = None) -> Notice:
    """The notice for the households whose open case of this stage passed the village review in `month`
    (or whose notice was recorded to start then), or for the named households. The period starts on the
    recorded notice date (else `start`, else today) and runs the configured days (or `days`, if longer)."""
    if stage not in STAGES:
        raise UsageError(f"--stage 应为 include 或 eliminate，而不是“{stage}”", f"--stage must be include or eliminate, not '{stage}'")
    floor = configs_in_force(ledger)["notice"].days
    wanted = [str(h).strip() for h in households if str(h).strip()]
    month_text, first, last = month_range(month or clock_today())
    rows = ledger.query(_HOUSEHOLDS + (" AND h.village = ?" if village else "") + " ORDER BY h.village, h.group_no, h.hh_no",
                        (village,) if village else ())
    if wanted:
        known = {r["hh_no"] for r in rows}
        missing = [h for h in wanted if h not in known]
        if missing:
            raise UsageError(f"找不到户：{'、'.join(missing)}", f"no such household: {', '.join(missing)}")
    chosen: list[tuple[dict, Any, Any]] = []
    steps_of = steps_by_household(ledger, KINDS)
    for h in rows:
        if wanted and h["hh_no"] not in wanted:
            continue
        state = standing(steps_of.get(h["id"], ()))
        case = state.case if state.case is not None and state.case.stage == stage else None
        if case is None or case.village_review is None:
            if wanted:
                raise UsageError(f"户 {h['hh_no']} 没有经村级民主评议的{STAGES[stage][0]}申请，不能公示",
                                 f"household {h['hh_no']} has no {STAGES[stage][1]} case through the village review; nothing to post",
                                 hint_zh="先用 grid monitor village-review 记录民主评议",
                                 hint_en="record the review with `grid monitor village-review` first")
            continue
        when = (case.notice or case.village_review).isoformat()
        if wanted or when[:7] == month_text:
            chosen.append((h, case, state))
    if not chosen:
        raise UsageError(f"{month_text} 没有经村级民主评议、待公示的{STAGES[stage][0]}户",
                         f"no {STAGES[stage][1]} case through the village review to post in {month_text}",
                         hint_zh="用 --month 选择评议月份，或用 --household 指定户编号",
                         hint_en="choose the month of the review with --month, or name households with --household")
    recorded = sorted(c.notice for _, c, _s in chosen if c.notice)
    days = days if days is not None else max([c.notice_days or floor for _, c, _s in chosen])
    if not floor <= days <= MAX_DAYS:
        raise UsageError(f"公示期应为 {floor}–{MAX_DAYS} 天（现为 {days} 天）",
                         f"a notice runs {floor} to {MAX_DAYS} days (not {days})")
    if start:
        begin = parse_date(start, allow_future=True)
        monitoring_year(begin.year)
    else:
        begin = recorded[0] if recorded else clock_today()
    end = begin + dt.timedelta(days=days - 1)

    table_rows = []
    for n, (h, case, state) in enumerate(chosen, 1):
        data = case.data
        if stage == "include":
            table_rows.append([n, h["village"] or "", h["group_no"] or "", h["head"] or "", h["size"], h["hh_type"] or "",
                               data.get("category") or h["category"] or "", yyyymm(data.get("identified")),
                               tr("重新纳入", "re-inclusion") if data.get("reinclusion") else ""])
        else:
            table_rows.append([n, h["village"] or "", h["group_no"] or "", h["head"] or "", h["size"], h["hh_type"] or "",
                               state.category or h["category"] or "", yyyymm(state.identified), data.get("method") or "",
                               yyyymm(data.get("month")), ""])

    place = address_of(ledger)
    where = village or place.name()
    columns = INCLUDE_COLUMNS if stage == "include" else ELIMINATE_COLUMNS
    if stage == "include":
        title = f"{where}防止返贫监测对象识别纳入公示名单"
        body = (f"经农户申请、干部走访排查或部门筛查预警，并经村级民主评议，拟将以下 {len(table_rows)} 户"
                f"识别纳入防止返贫监测对象，现予公示。")
    else:
        title = f"{where}防止返贫监测对象风险消除公示名单"
        body = f"经入户核实和村级民主评议，以下 {len(table_rows)} 户拟标注风险消除，现予公示。"
    period = f"公示期：{_zh_date(begin)}至{_zh_date(end)}（{days}天）。如有异议，请在公示期内向村民委员会或乡镇人民政府反映。"
    phone = f"监督电话：{contact}" if contact else "监督电话：________________"
    table = Table("notice", title, [c[0] for c in columns], table_rows, [float(c[1]) for c in columns],
                  [c[2] for c in columns])
    signer = f"{place.village}村民委员会" if place.village and not place.hub else "村民委员会"
    book = Book([Sheet("公示名单", [table], landscape=False, freeze_cols=0)],
                page_header=f"{place.label()}  {title}",
                lines=[body + period, phone],
                footer_lines=[f"{signer}          {_zh_date(begin)}"])
    return Notice(book, stage, begin, end, len(table_rows))
