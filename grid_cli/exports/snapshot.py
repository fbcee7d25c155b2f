"""What the ledger exports share: the period they cover and the day it is judged on, and the area a clerk
may choose (village, grid, township). The place a ledger stands for (its title and page header) is
grid_cli.place.Address.

The rows themselves are read a batch at a time (findings.batches). Member facts (schooling, insurance,
health) have no history in the ledger, so a past month shows the members as they are now.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from grid_cli.clock import today as clock_today
from grid_cli.errors import UsageError
from grid_cli.ledger import Ledger
from grid_cli.parse import parse_month


def month_range(month: Any) -> tuple[str, dt.date, dt.date]:
    """'2026-11' (or 202611, 2026年11月) -> ('2026-11', first day, last day)."""
    text = parse_month(month)
    year, mon = int(text[:4]), int(text[5:])
    first = dt.date(year, mon, 1)
    last = (dt.date(year + (mon == 12), mon % 12 + 1, 1) - dt.timedelta(days=1))
    return text, first, last


def as_of(first: dt.date, last: dt.date, what: tuple[str, str]) -> dt.date:
    """The day a period is judged on: its last day, or today while it is running. A future period is refused."""
    now = clock_today()
    if first > now:
        raise UsageError(f"{what[0]}尚未开始（今天是 {now}）", f"{what[1]} has not started yet (today is {now})",
                         hint_zh="选择本月或以前的月份", hint_en="choose this month or an earlier one")
    return min(last, now)


def check_area(ledger: Ledger, area) -> None:
    """Refuse a village, grid or township with no active households here (naming the ones there are)."""
    for value, column, zh, en in ((area.village, "village", "自然村", "village"), (area.grid, "grid", "网格", "grid")):
        if value and not ledger.conn.execute(f"SELECT 1 FROM households WHERE status = '正常' AND {column} = ? LIMIT 1",
                                             (value,)).fetchone():
            known = ledger.query(f"SELECT DISTINCT {column} AS v FROM households WHERE status = '正常' ORDER BY 1")
            names = "、".join(str(r["v"]) for r in known if r["v"])
            raise UsageError(f"没有{zh}“{value}”的在册农户（有：{names}）", f"no active households in {en} '{value}' (known: {names})")
    if area.township and not ledger.conn.execute("SELECT 1 FROM scope WHERE level = 'grid' AND parent = ? LIMIT 1",
                                                 (area.township,)).fetchone():
        names = "、".join(r["p"] for r in ledger.query("SELECT DISTINCT parent AS p FROM scope WHERE level = 'grid'"
                                                        " AND parent IS NOT NULL ORDER BY 1"))
        raise UsageError(f"本账本没有乡镇“{area.township}”的网格（有：{names}）",
                         f"no grids of township '{area.township}' in this ledger (known: {names})")


def townships(ledger: Ledger) -> list[str]:
    """The townships a county ledger's grids belong to."""
    return [r[0] for r in ledger.conn.execute("SELECT DISTINCT parent FROM scope WHERE level = 'grid'"
                                              " AND parent IS NOT NULL ORDER BY 1")]
