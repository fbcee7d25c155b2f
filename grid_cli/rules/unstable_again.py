"""返贫风险（已消除户）: a household whose risk was eliminated shows a high-severity risk again;
re-inclusion is suggested ("杜绝一消了之").

Fail: eliminated in 2026-09, income now under the threshold. Pass: eliminated and still stable.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import HIGH, Context, Finding, RuleConfig, finding

ID = "eliminated_unstable"
TITLE = ("已消除户不稳定", "eliminated household unstable again")
EXPLAIN_ZH = """返贫风险（已消除户）：已消除风险的户又出现高等级风险，建议重新纳入监测（“杜绝一消了之”）。

不通过：2026-09 已消除，现在人均纯收入低于监测标准。通过：已消除，仍然稳定。"""  # `grid rules explain` in Chinese (the docstring is its English)
AFTER = True


class Config(RuleConfig):
    pass


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    if not ctx.monitoring.eliminated:
        return
    causes = [f for f in ctx.prior if f.severity == HIGH]
    if causes:
        month = ctx.monitoring.eliminated_month or "?"
        yield finding(ctx, ID, HIGH,
                      f"{month} 已消除风险，现又出现：{causes[0].zh}；建议重新纳入监测",
                      f"risk eliminated in {month}, now again: {causes[0].en}; re-inclusion suggested",
                      eliminated=month, causes=[f.rule for f in causes])
