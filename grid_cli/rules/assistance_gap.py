"""帮扶未落实: a monitored household with no 帮扶责任人, or with no assistance measure, more than
`days` after identification (DOMAIN.md: a helper at once, a measure within a month).

Fail: identified 45 days ago, no measure. Pass: identified 20 days ago, or a measure in place.
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from grid_cli.rules.base import MEDIUM, Context, Finding, finding
from grid_cli.rules.params import RuleConfig

ID = "assistance_gap"
TITLE = ("帮扶未落实", "assistance not in place")
EXPLAIN_ZH = """帮扶未落实：已纳入监测的户，识别纳入超过 `days` 天仍未落实帮扶责任人，或没有任何帮扶措施
（DOMAIN.md：帮扶责任人立即落实，帮扶措施一个月内落实）。

不通过：识别纳入已 45 天，没有措施。通过：识别纳入 20 天，或已有在实施的措施。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    days: int = Field(ge=0, le=366)


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    mon = ctx.monitoring
    if not mon.monitored or mon.identified is None:
        return
    waited = (ctx.today - mon.identified).days
    if waited <= config.days:
        return
    if not mon.helpers:
        yield finding(ctx, ID, MEDIUM, f"纳入监测已 {waited} 天，未落实帮扶责任人",
                      f"monitored for {waited} days with no assigned helper (帮扶责任人)", days=waited, missing="helper")
    if not mon.measures:
        yield finding(ctx, ID, MEDIUM, f"纳入监测已 {waited} 天，无在实施的帮扶措施",
                      f"monitored for {waited} days with no assistance measure in place", days=waited, missing="measure")
