"""The public-notice list 公示名单 that hangs on the village board, for households going through
inclusion (识别纳入) or risk elimination (风险消除).

Public notices must not show ID numbers, phone numbers, bank accounts or health status (DOMAIN.md), so
this module never reads those fields; risk types are left out as well, since 因病 / 因残 would disclose
health. The notice period is at least five days (村级公示 ≥5 天).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from grid_cli.clock import today as clock_today
from grid_cli.errors import UsageError
from grid_cli.exports.monthly import yyyymm
from grid_cli.exports.snapshot import month_range, place_of
from grid_cli.exports.table import Book, Sheet, Table
from grid_cli.i18n import tr
from grid_cli.ledger import Ledger
from grid_cli.lifecycle import steps_by_household
from grid_cli.parse import monitoring_year, parse_date

STAGES = {"include": ("识别纳入", "inclusion"), "eliminate": ("风险消除", "risk elimination")}
MIN_DAYS, MAX_DAYS = 5, 90

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
                 start: Any = None, days: int = MIN_DAYS, village: str | None = None,
                 contact: str | None = None) -> Notice:
    """The notice for the households whose inclusion (or elimination) step falls in `month` (by its
    identification / elimination month or its recorded notice date), or for the named households."""
    if stage not in STAGES:
        raise UsageError(f"--stage 应为 include 或 eliminate，而不是“{stage}”", f"--stage must be include or eliminate, not '{stage}'")
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise UsageError(f"公示期应为 {MIN_DAYS}–{MAX_DAYS} 天（现为 {days} 天）",
                         f"a notice runs {MIN_DAYS} to {MAX_DAYS} days (not {days})")
    wanted = [str(h).strip() for h in households if str(h).strip()]
    month_text, first, last = month_range(month or clock_today())
    rows = ledger.query(_HOUSEHOLDS + (" AND h.village = ?" if village else "") + " ORDER BY h.village, h.group_no, h.hh_no",
                        (village,) if village else ())
    if wanted:
        known = {r["hh_no"] for r in rows}
        missing = [h for h in wanted if h not in known]
        if missing:
            raise UsageError(f"找不到户：{'、'.join(missing)}", f"no such household: {', '.join(missing)}")
    chosen: list[tuple[dict, dict]] = []
    steps_of = steps_by_household(ledger, {stage, "include"})
    for h in rows:
        if wanted and h["hh_no"] not in wanted:
            continue
        steps = [e for e in steps_of.get(h["id"], ()) if e["kind"] == stage]
        if not steps:
            if wanted:
                raise UsageError(f"户 {h['hh_no']} 没有{STAGES[stage][0]}记录", f"household {h['hh_no']} has no {STAGES[stage][1]} step",
                                 hint_zh="先用 grid monitor 记录该步骤", hint_en="record the step with `grid monitor` first")
            continue
        step = steps[-1]
        data = step["data"]
        when = data.get("identified") if stage == "include" else (data.get("month") or "")
        in_month = (when or "")[:7] == month_text or (data.get("notice") or "")[:7] == month_text
        if wanted or in_month:
            chosen.append((h, step))
    if not chosen:
        raise UsageError(f"{month_text} 没有需要公示的{STAGES[stage][0]}户", f"no households to notice for {STAGES[stage][1]} in {month_text}",
                         hint_zh="用 --month 选择月份，或用 --household 指定户编号",
                         hint_en="choose the month with --month, or name households with --household")
    if start:
        begin = parse_date(start, allow_future=True)
        monitoring_year(begin.year)
    else:
        recorded = sorted(s["data"]["notice"] for _, s in chosen if s["data"].get("notice"))
        begin = dt.date.fromisoformat(recorded[0]) if recorded else clock_today()
    end = begin + dt.timedelta(days=days - 1)

    table_rows = []
    for n, (h, step) in enumerate(chosen, 1):
        data = step["data"]
        if stage == "include":
            table_rows.append([n, h["village"] or "", h["group_no"] or "", h["head"] or "", h["size"], h["hh_type"] or "",
                               data.get("category") or h["category"] or "", yyyymm(data.get("identified")),
                               tr("重新纳入", "re-inclusion") if data.get("reinclusion") else ""])
        else:
            include = [e for e in steps_of.get(h["id"], ()) if e["kind"] == "include"]
            identified = include[-1]["data"].get("identified") if include else None
            category = (include[-1]["data"].get("category") if include else None) or h["category"] or ""
            table_rows.append([n, h["village"] or "", h["group_no"] or "", h["head"] or "", h["size"], h["hh_type"] or "",
                               category, yyyymm(identified), data.get("method") or "", yyyymm(data.get("month")), ""])

    place = place_of(ledger)
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
