"""收入接近监测标准: per-capita income at or above the threshold but inside the warning band.

Fail (band 0.5, threshold 7,600): 人均纯收入 9,000 元, below 11,400 元. Pass: 11,400 元.
An income under the threshold is left to `income_below_threshold`.
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from grid_cli.rules.base import MEDIUM, Context, Finding, finding, yuan
from grid_cli.rules.params import RuleConfig

ID = "income_near_threshold"
TITLE = ("收入接近监测标准", "income just above the threshold")
EXPLAIN_ZH = """收入接近监测标准：人均纯收入不低于监测标准，但在预警带内。

不通过（预警带 0.5，监测标准 7,600）：人均纯收入 9,000 元，低于 11,400 元。通过：11,400 元。
低于监测标准的，由 `income_below_threshold` 提示。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    band: float = Field(ge=0, le=5, description="warning band above the threshold, as a share of it")


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    visit = ctx.last_visit
    if visit is None or visit.residents <= 0:
        return
    upper = ctx.threshold * (1 + config.band)
    if ctx.threshold * visit.residents <= visit.net < upper * visit.residents:
        yield finding(
            ctx, ID, MEDIUM,
            f"人均纯收入 {yuan(visit.per_capita)} 元，在监测标准 {yuan(ctx.threshold)} 元的预警带内（低于 {yuan(upper)} 元）",
            f"per-capita net income {yuan(visit.per_capita)} yuan is within the warning band above the threshold "
            f"{yuan(ctx.threshold)} yuan (below {yuan(upper)} yuan)",
            per_capita=visit.per_capita, threshold=ctx.threshold, upper=round(upper),
        )
