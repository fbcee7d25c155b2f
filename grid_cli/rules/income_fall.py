"""收入骤减: per-capita income fell by more than a configured share, against the previous visit or
against a year before (the latest visit at least a year older, else the earliest within the year);
the larger fall is reported.

Fail (share 0.3): 10,000 元 → 6,900 元 (−31%). Pass: 10,000 → 7,000 (−30%).
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from grid_cli.model import Visit, one_year_before
from grid_cli.rules.base import HIGH, MEDIUM, Context, Finding, finding, yuan
from grid_cli.rules.params import RuleConfig

ID = "income_fall"
TITLE = ("收入骤减", "sharp income fall")
EXPLAIN_ZH = """收入骤减：人均纯收入比上次走访，或比一年前（至少早一年的最近一次走访，没有则取一年内最早的一次）
下降超过设定比例；取两者中降幅大的。

不通过（比例 0.3）：10,000 元 → 6,900 元（−31%）。通过：10,000 → 7,000（−30%）。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    share: float = Field(gt=0, lt=1, description="a fall larger than this share is flagged")
    severe_share: float = Field(gt=0, lt=1, description="a fall larger than this is high severity")


def _baselines(ctx: Context) -> list[Visit]:
    visits = ctx.visits
    latest = visits[-1]
    older = len(visits.until(one_year_before(latest.date)))  # visits a year or more before the latest
    return [visits[-2], visits[older - 1] if older else visits[0]]


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    if len(ctx.visits) < 2:
        return
    latest = ctx.visits[-1]
    if latest.residents <= 0:
        return
    # exact: latest pc < base pc × (1 − share)  ⇔  latest.net × base.residents < base.net × latest.residents × (1 − share)
    falls = [b for b in _baselines(ctx) if b.per_capita > 0 and b.residents > 0
             and latest.net * b.residents < b.net * latest.residents * (1 - config.share)]
    if not falls:
        return
    base = max(falls, key=lambda b: b.net / b.residents)
    fall = 1 - latest.per_capita / base.per_capita
    severity = HIGH if fall > config.severe_share else MEDIUM
    yield finding(
        ctx, ID, severity,
        f"人均纯收入由 {yuan(base.per_capita)} 元（{base.date}）降至 {yuan(latest.per_capita)} 元，下降 {fall:.0%}"
        f"（超过 {config.share:.0%}）",
        f"per-capita net income fell from {yuan(base.per_capita)} yuan ({base.date}) to {yuan(latest.per_capita)} "
        f"yuan, down {fall:.0%} (more than {config.share:.0%})",
        before=base.per_capita, after=latest.per_capita, fall=round(fall, 4),
    )
