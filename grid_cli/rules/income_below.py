"""收入低于监测标准: per-capita net income below the year's monitoring threshold.

Fail: 人均纯收入 6,240 元 < 监测标准 7,600 元. Pass: exactly 7,600 元 (the line itself is not below it).
Compared exactly as net income < threshold × resident members, so rounding never decides.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import HIGH, Context, Finding, finding, yuan
from grid_cli.rules.params import RuleConfig

ID = "income_below_threshold"
TITLE = ("收入低于监测标准", "income below the monitoring threshold")
EXPLAIN_ZH = """收入低于监测标准：家庭人均纯收入低于本年度监测标准。

不通过：人均纯收入 6,240 元 < 监测标准 7,600 元。通过：正好 7,600 元（等于标准不算低于）。
按“纯收入 < 监测标准 × 常住人数”精确比较，不受四舍五入影响。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    pass


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    visit = ctx.last_visit
    if visit is None or visit.residents <= 0:
        return
    if visit.net < ctx.threshold * visit.residents:
        yield finding(
            ctx, ID, HIGH,
            f"人均纯收入 {yuan(visit.per_capita)} 元 < 监测标准 {yuan(ctx.threshold)} 元（{visit.date}走访）",
            f"per-capita net income {yuan(visit.per_capita)} yuan < threshold {yuan(ctx.threshold)} yuan (visit {visit.date})",
            per_capita=visit.per_capita, threshold=ctx.threshold, visit_date=visit.date.isoformat(),
        )
