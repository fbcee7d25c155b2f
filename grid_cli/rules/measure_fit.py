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

from grid_cli.rules.base import MEDIUM, Context, Finding, finding
from grid_cli.rules.params import RuleConfig

ID = "measure_fit"
TITLE = ("缺什么补什么", "measures answer the risks")
EXPLAIN_ZH = """缺什么补什么（种子文件 001）：纳入监测满 `days` 天后，每个风险类型都要有能对应它的在实施帮扶措施。
`mapping` 列出每个风险类型可对应的措施类别（空列表：任何措施都算）；不在其中的风险类型不检查。
随附的对应关系只是默认值，县里可按本县措施目录设置（grid rules set measure_fit.mapping）。

不通过：因学，只有产业帮扶措施。通过：因学，有义务教育保障措施。"""  # `grid rules explain` in Chinese (the docstring is its English)


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
