"""回头看 (seed 000: 每季度开展监测对象"回头看"，对风险消除对象持续跟踪监测，杜绝"一消了之"): a household whose risk
was eliminated before the current period (`months` months, aligned on the year: quarters by default) is due
for a follow-up visit (`grid visit --followup`) in it. An info finding while due; the quarterly report
counts the done and the due.

Fail: eliminated in 2026-05, no follow-up visit since 2026-10-01 (Q4). Pass: a follow-up visit on 2026-10-20.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Iterator

from pydantic import Field

from grid_cli.model import ELIMINATED, Monitoring, Visit, Visits
from grid_cli.rules.base import INFO, Context, Finding, finding
from grid_cli.rules.params import RuleConfig

ID = "followup_due"
TITLE = ("回头看", "follow-up of eliminated households")
EXPLAIN_ZH = """回头看（种子文件 000：每季度开展监测对象“回头看”，对风险消除对象持续跟踪监测，杜绝“一消了之”）：
本期（每 `months` 个月一期，从 1 月 1 日起算，默认即每季度）之前已消除风险的户，本期内要有一次回头看走访
（grid visit --followup）。未做时为提示；季度分析统计应做和已做。

不通过：2026-05 消除，2026-10-01（第四季度）以来没有回头看走访。通过：2026-10-20 做了回头看走访。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    months: int = Field(ge=1, le=12, description="one follow-up per this many months (3: each quarter)")


@lru_cache(maxsize=64)  # one day for a whole ledger: computed once, not per household
def period(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The period of `months` months (aligned on 1 January) that holds the day: (first day, last day)."""
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    end_month = first_month + months
    end = dt.date(day.year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def due_in(mon: Monitoring, start: dt.date) -> bool:
    """Whether a household is due for a follow-up in a period starting on `start`: eliminated before it."""
    return mon.state == ELIMINATED and mon.eliminated_on is not None and mon.eliminated_on < start


def done_in(visits: Visits, start: dt.date, end: dt.date) -> Visit | None:
    """The latest follow-up visit in the period, if any."""
    return next((v for v in reversed(visits.between(start, end)) if v.followup), None)


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    mon = ctx.monitoring
    if mon.state != ELIMINATED:
        return
    start, end = period(ctx.today, config.months)
    if not due_in(mon, start) or done_in(ctx.visits, start, ctx.today):
        return
    last = ctx.visits.latest("followup")
    since_zh = f"上次回头看 {last.date}" if last else "从未回头看"
    since_en = f"last follow-up {last.date}" if last else "never followed up"
    yield finding(ctx, ID, INFO, f"回头看：{mon.eliminated_month} 消除风险，本期（{start}—{end}）尚未回头看（{since_zh}）",
                  f"follow-up due: risk eliminated in {mon.eliminated_month}, none yet this period ({start} to {end}; {since_en})",
                  period=[start.isoformat(), end.isoformat()], last=last.date.isoformat() if last else None,
                  eliminated=mon.eliminated_month)
