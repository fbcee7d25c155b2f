"""重点关注线: a per-household-type income line above the threshold (seed 003 watches 脱贫户 under
10,000 yuan per person). Incomes under the threshold itself are left to `income_below_threshold`.

Fail: a 脱贫户 at 9,999 元. Pass: 10,000 元, or an 一般农户 at 9,000 元 (no line for that type).
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import MEDIUM, Context, Finding, finding, yuan
from grid_cli.rules.params import RuleConfig

ID = "focus_line"
TITLE = ("重点关注线", "focus income line")
EXPLAIN_ZH = """重点关注线：按户类型设的收入线，高于监测标准（种子文件 003：脱贫户人均纯收入低于 10,000 元的
重点关注）。低于监测标准本身的，由 `income_below_threshold` 提示。

不通过：脱贫户 9,999 元。通过：10,000 元；或一般农户 9,000 元（该户类型没有关注线）。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    lines: dict[str, int]


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    line = config.lines.get(ctx.hh_type or "")
    visit = ctx.last_visit
    if not line or visit is None or visit.residents <= 0:
        return
    if ctx.threshold * visit.residents <= visit.net < line * visit.residents:
        yield finding(ctx, ID, MEDIUM,
                      f"{ctx.hh_type}人均纯收入 {yuan(visit.per_capita)} 元，低于重点关注线 {yuan(line)} 元",
                      f"{ctx.hh_type} per-capita income {yuan(visit.per_capita)} yuan is under the focus line {yuan(line)} yuan",
                      per_capita=visit.per_capita, line=line)
