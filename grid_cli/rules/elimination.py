"""风险消除候选: a monitored household that meets the elimination criteria (DOMAIN.md): monitored at
least `months` months with at least one measure; per-capita income at or above the threshold at every
visit of the last `months` months and at the visit before them; no high-severity risk found now
(rigid spending, the three guarantees, water); and at least one working-age member able to work
(never without labour).

Fail (not a candidate): a household whose only members are 75. Pass: all criteria met -> info finding.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from dateutil.relativedelta import relativedelta
from pydantic import Field

from grid_cli.rules.base import HIGH, INFO, Context, Finding, RuleConfig, finding, yuan

ID = "elimination_candidate"
TITLE = ("可消除风险", "elimination candidate")
EXPLAIN_ZH = """风险消除候选：已纳入监测的户符合风险消除条件（DOMAIN.md）：监测满 `months` 个月且至少有一项
帮扶措施；最近 `months` 个月内每次走访及其前一次走访的人均纯收入都不低于监测标准；现在没有高等级风险
（刚性支出、“三保障”、饮水安全）；至少有一名劳动年龄段、有劳动能力的成员（无劳动力的户不得消除）。

不是候选：成员都已 75 岁的户。是候选：各项条件都符合（一条提示）。"""  # `grid rules explain` in Chinese (the docstring is its English)
AFTER = True


class Config(RuleConfig):
    months: int = Field(ge=1, le=36)


def _stable_since(ctx: Context, start: dt.date) -> bool:
    window = [v for v in ctx.visits if v.date >= start]
    before = [v for v in ctx.visits if v.date < start]
    if not window or not before:
        return False
    return all(v.residents > 0 and v.net >= ctx.threshold * v.residents for v in [before[-1], *window])


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    mon = ctx.monitoring
    if not mon.monitored or mon.identified is None:
        return
    start = ctx.today - relativedelta(months=config.months)
    if mon.identified > start or mon.measures_ever < 1:
        return
    if any(f.severity == HIGH for f in ctx.prior):
        return
    if not any(m.working_age_able(ctx.today) for m in ctx.residents()):
        return
    if not _stable_since(ctx, start):
        return
    pc = ctx.last_visit.per_capita
    yield finding(ctx, ID, INFO,
                  f"已符合风险消除条件：监测 {config.months} 个月以上、有帮扶措施、人均纯收入 {yuan(pc)} 元持续高于"
                  f"监测标准 {yuan(ctx.threshold)} 元、三保障和饮水安全无问题、有劳动力",
                  f"meets the elimination criteria: monitored over {config.months} months with measures, per-capita "
                  f"income {yuan(pc)} yuan steadily above the threshold {yuan(ctx.threshold)}, guarantees and water "
                  f"secure, has labour", per_capita=pc)
