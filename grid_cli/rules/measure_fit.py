"""缺什么补什么 (seed 001): every recorded risk type of a monitored household has an active measure of a kind
that answers it, `days` after identification. `mapping` names, for each risk type, the measure kinds that
answer it (an empty list: any measure); a risk type not in the mapping is not checked. The shipped mapping
is a working default, set by the county to its own measure catalogue (`grid rules set measure_fit.mapping`).
A household with no active measure at all is the assistance_gap rule's.

Fail: 因学 with only a 产业帮扶 measure. Pass: 因学 with 义务教育保障.
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from grid_cli.rules.base import MEDIUM, Context, Finding, RuleConfig, finding

ID = "measure_fit"
TITLE = ("缺什么补什么", "measures answer the risks")


class Config(RuleConfig):
    days: int = Field(ge=0, le=366)
    mapping: dict[str, list[str]]


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    mon = ctx.monitoring
    if not mon.monitored or mon.identified is None or not mon.measures:
        return
    if (ctx.today - mon.identified).days <= config.days:
        return
    kinds = {m.kind for m in mon.measures}
    missing = [(risk, config.mapping[risk]) for risk in mon.risks
               if config.mapping.get(risk) and not kinds & set(config.mapping[risk])]
    if missing:
        yield finding(ctx, ID, MEDIUM,
                      "；".join(f"风险类型“{risk}”无对应的帮扶措施（可用：{'、'.join(need)}）" for risk, need in missing),
                      "; ".join(f"risk type {risk} has no matching measure (one of: {', '.join(need)})" for risk, need in missing),
                      risks=[risk for risk, _need in missing])
