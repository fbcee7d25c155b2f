"""走访逾期: no visit within the household's interval. Monitored households (and those proposed for
monitoring) are visited every `days_by_category[category]` days, else every `days`; others every
`days_by_type[type]` days, else every `days`. The shipped `days` is 31 for everyone (monthly, national
practice); seed 002 篇三 asks for quarterly visits to 已脱贫 households, which a county sets with
`grid rules set visit_overdue.days_by_type '{"脱贫户": 92}'`. Households in the 八必访 must-visit groups (low
or falling income, serious illness, 特困, 低保, disability, several children in school, unstable work,
disaster) are never given more than `days`, and are high severity, the rest medium.

Fail: last visit 32 days ago with `days` 31. Pass: 31 days ago.
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from grid_cli import catalog
from grid_cli.rules.base import HIGH, MEDIUM, Context, Finding, finding
from grid_cli.rules.params import RuleConfig

ID = "visit_overdue"
TITLE = ("走访逾期", "visit overdue")
EXPLAIN_ZH = """走访逾期：超过该户类型的走访间隔（默认每月一次）没有走访。八必访对象（收入低或下降、大病、特困、
低保、残疾、多子女上学、务工不稳、受灾）为高等级，其他为中等级。

不通过：上次走访在 32 天前，`days` 为 31。通过：31 天前。"""  # `grid rules explain` in Chinese (the docstring is its English)
AFTER = True  # looks at the other rules' findings to tell the 八必访 groups

_INCOME_RULES = {"income_below_threshold", "income_fall", "rigid_spending", "income_near_threshold"}


class Config(RuleConfig):
    days: int = Field(ge=1, le=366)
    days_by_type: dict[str, int] = Field(description="e.g. {\"脱贫户\": 92}")
    days_by_category: dict[str, int] = Field(description="monitored households, e.g. {\"突发严重困难户\": 15}")


def interval(ctx: Context, config: Config) -> int:
    """The visit interval of this household, before the must-visit groups are considered."""
    mon = ctx.monitoring
    if mon.monitored or (mon.case is not None and mon.case.stage == "include"):
        category = mon.category or (mon.case.data.get("category") if mon.case else None)
        return config.days_by_category.get(category or "", config.days)
    return config.days_by_type.get(ctx.hh_type or "", config.days)


def must_visit_reasons(ctx: Context) -> list[str]:
    reasons = []
    if any(f.rule in _INCOME_RULES for f in ctx.prior):
        reasons.append("收入低或下降")
    if any(m.health == "患有大病" for m in ctx.members):
        reasons.append("大病")
    if "特困" in ctx.flags or any(m.tekun for m in ctx.members):
        reasons.append("特困")
    if "低保" in ctx.flags or any(m.dibao for m in ctx.members):
        reasons.append("低保")
    if any(m.health == "残疾" for m in ctx.members):
        reasons.append("残疾")
    in_school = [m for m in ctx.members if catalog.school(m.school_status).in_school and m.school_status != "学前教育"]
    if len(in_school) >= 2:
        reasons.append("多子女上学")
    if ctx.last_visit and any(e.get("type") in ("disaster", "accident", "job_loss", "business_failure")
                              for e in ctx.last_visit.events):
        reasons.append("遭灾或重大变故")
    return reasons


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    every = interval(ctx, config)
    last = ctx.last_visit
    days = None if last is None else (ctx.today - last.date).days
    if days is not None and days <= min(every, config.days):
        return
    reasons = must_visit_reasons(ctx)  # only for the overdue: most households are not
    if reasons:
        every = min(every, config.days)
    if days is not None and days <= every:
        return
    severity = HIGH if reasons else MEDIUM
    why_zh = f"（八必访：{'、'.join(reasons)}）" if reasons else ""
    why_en = f" (must-visit: {', '.join(reasons)})" if reasons else ""
    if last is None:
        yield finding(ctx, ID, severity, "尚未走访" + why_zh, "never visited" + why_en, days=None, interval=every)
    else:
        yield finding(ctx, ID, severity, f"距上次走访（{last.date}）已 {days} 天，超过 {every} 天" + why_zh,
                      f"{days} days since the last visit ({last.date}), more than {every}" + why_en,
                      days=days, interval=every, last=last.date.isoformat())
