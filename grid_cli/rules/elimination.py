"""风险消除候选, and the elimination gate every proposal passes (`grid monitor eliminate`, DOMAIN.md
"Risk eliminated", seed 001: 风险稳定消除半年以上). The criteria, each configurable here:
  monitored   at least `min_months` months since identification;
  income      per-capita income at or above the threshold at every visit of the last `months` months and at
              the visit before them (so the whole window is covered);
  guarantees  no open finding of the `blocking_rules` (three guarantees, water, rigid spending);
  helper      a 帮扶责任人 in place (`need_helper`);
  measure     at least one assistance measure ever (`need_measure`);
  labour      at least one resident able to work (who counts: the `labour` policy), unless
              `allow_without_labour`.
The gate lists every criterion with its numbers; the rule reports a monitored household that meets all.

Fail (not a candidate): a household whose only members are 75. Pass: all criteria met -> info finding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from dateutil.relativedelta import relativedelta
from pydantic import Field

from grid_cli.rules.base import INFO, Context, Finding, finding, yuan
from grid_cli.rules.params import RuleConfig
from grid_cli.rules.policy import Labour

ID = "elimination_candidate"
TITLE = ("可消除风险", "elimination candidate")
EXPLAIN_ZH = """风险消除候选：已纳入监测的户符合风险消除条件（DOMAIN.md）：监测满 `months` 个月且至少有一项
帮扶措施；最近 `months` 个月内每次走访及其前一次走访的人均纯收入都不低于监测标准；现在没有高等级风险
（刚性支出、“三保障”、饮水安全）；至少有一名劳动年龄段、有劳动能力的成员（无劳动力的户不得消除）。

不是候选：成员都已 75 岁的户。是候选：各项条件都符合（一条提示）。"""  # `grid rules explain` in Chinese (the docstring is its English)
AFTER = True
USES = ("labour",)


class Config(RuleConfig):
    months: int = Field(ge=1, le=36, description="income at or above the threshold this many months")
    min_months: int = Field(ge=0, le=60, description="monitored at least this many months")
    need_helper: bool
    need_measure: bool
    allow_without_labour: bool
    blocking_rules: list[str]
    labour: Labour


@dataclass(frozen=True)
class Criterion:
    key: str   # monitored | income | guarantees | helper | measure | labour
    met: bool
    zh: str
    en: str
    facts: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"criterion": self.key, "met": self.met, "zh": self.zh, "en": self.en, "facts": self.facts}


def _income(ctx: Context, months: int, since: dt.date) -> Criterion:
    window = ctx.visits.since(since)
    before = ctx.visits[:len(ctx.visits) - len(window)]
    t = yuan(ctx.threshold)
    if not window:
        return Criterion("income", False, f"近 {months} 个月（{since} 起）没有走访记录，无法确认收入稳定",
                         f"no visit in the last {months} months (since {since}): income stability unknown", {"since": since.isoformat()})
    if not before:
        return Criterion("income", False, f"{since} 以前没有走访记录，无法确认收入已稳定 {months} 个月",
                         f"no visit before {since}: income cannot be shown stable for {months} months", {"since": since.isoformat()})
    checked = [before[-1], *window]
    low = [v for v in checked if v.residents <= 0 or v.net < ctx.threshold * v.residents]
    if low:
        listed = "、".join(f"{v.date} {yuan(v.per_capita)} 元" for v in low[:3])
        listed_en = ", ".join(f"{v.date} {yuan(v.per_capita)} yuan" for v in low[:3])
        return Criterion("income", False, f"近 {months} 个月 {len(checked)} 次走访中 {len(low)} 次人均纯收入低于监测标准 {t} 元：{listed}",
                         f"{len(low)} of {len(checked)} visits in the last {months} months below the threshold {t} yuan: {listed_en}",
                         {"visits": len(checked), "below": [(v.date.isoformat(), v.per_capita) for v in low],
                          "threshold": ctx.threshold})
    lowest = min(checked, key=lambda v: v.net / v.residents)
    return Criterion("income", True, f"近 {months} 个月 {len(checked)} 次走访人均纯收入均不低于 {t} 元（最低 {yuan(lowest.per_capita)} 元）",
                     f"all {len(checked)} visits in the last {months} months at or above {t} yuan (lowest {yuan(lowest.per_capita)})",
                     {"visits": len(checked), "lowest": lowest.per_capita, "threshold": ctx.threshold})


def gate(ctx: Context, config: Config, findings: Iterable[Finding]) -> list[Criterion]:
    """Every elimination criterion for this household now, met or not, with the numbers."""
    mon, today = ctx.monitoring, ctx.today
    out = []
    since = today - relativedelta(months=config.min_months)
    if mon.identified is None:
        out.append(Criterion("monitored", False, "没有识别监测时间", "no identification date"))
    else:
        days = (today - mon.identified).days
        ok = mon.identified <= since
        ready = mon.identified + relativedelta(months=config.min_months)
        out.append(Criterion(
            "monitored", ok, f"{mon.identified} 纳入监测，已 {days} 天" + ("" if ok else f"（不足 {config.min_months} 个月，{ready} 方满）"),
            f"monitored since {mon.identified}, {days} days" + ("" if ok else f" (under {config.min_months} months until {ready})"),
            {"identified": mon.identified.isoformat(), "days": days, "min_months": config.min_months}))
    out.append(_income(ctx, config.months, today - relativedelta(months=config.months)))
    blocking = [f for f in findings if f.rule in config.blocking_rules and f.household_id == ctx.household_id]
    if blocking:
        out.append(Criterion("guarantees", False, "三保障、饮水或刚性支出仍有问题：" + "；".join(f.zh for f in blocking),
                             "guarantees, water or rigid spending still failing: " + "; ".join(f.en for f in blocking),
                             {"findings": [f.rule for f in blocking]}))
    else:
        out.append(Criterion("guarantees", True, "三保障、饮水安全和刚性支出无问题", "guarantees, water and rigid spending secure"))
    if config.need_helper:
        out.append(Criterion("helper", bool(mon.helpers), f"帮扶责任人：{'、'.join(h.get('name', '') for h in mon.helpers)}"
                             if mon.helpers else "未落实帮扶责任人", f"{len(mon.helpers)} helper(s) assigned" if mon.helpers
                             else "no helper (帮扶责任人) assigned"))
    if config.need_measure:
        out.append(Criterion("measure", mon.measures_ever > 0, f"已落实帮扶措施 {mon.measures_ever} 项" if mon.measures_ever
                             else "从未落实帮扶措施", f"{mon.measures_ever} measure(s) recorded" if mon.measures_ever
                             else "no assistance measure ever recorded", {"measures": mon.measures_ever}))
    if not config.allow_without_labour:
        able = [m for m in ctx.residents() if config.labour.able(m, today)]
        band = config.labour.band()
        out.append(Criterion("labour", bool(able), f"有劳动力 {len(able)} 人（{band}岁）" if able
                             else f"家庭常住成员中无劳动年龄段（{band}岁）劳动力，按规定不能消除风险",
                             f"{len(able)} member(s) able to work ({band})" if able
                             else f"no resident of working age ({band}) able to work: elimination is not allowed",
                             {"able": len(able)}))
    return out


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    mon = ctx.monitoring
    if not mon.monitored or mon.identified is None or mon.case is not None:
        return  # not monitored, or a proposal is already under way
    criteria = gate(ctx, config, ctx.prior)
    if not all(c.met for c in criteria):
        return
    pc = ctx.last_visit.per_capita
    yield finding(ctx, ID, INFO,
                  f"已符合风险消除条件：监测 {config.min_months} 个月以上、有帮扶措施、人均纯收入 {yuan(pc)} 元，近 {config.months} "
                  f"个月持续不低于监测标准 {yuan(ctx.threshold)} 元、三保障和饮水安全无问题",
                  f"meets the elimination criteria: monitored over {config.min_months} months with measures, per-capita "
                  f"income {yuan(pc)} yuan, at or above the threshold {yuan(ctx.threshold)} for {config.months} months, "
                  f"guarantees and water secure", per_capita=pc)
