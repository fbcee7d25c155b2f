"""返贫风险（已消除户）: a household whose risk was eliminated is at risk again, and re-inclusion is suggested
("杜绝一消了之", seed 000). Any one of these, each reported with its numbers:
  - at a visit after the elimination, per-capita income below the threshold;
  - per-capita income fallen, against the last visit at or before the elimination, by more than the
    `income_fall` rule's share;
  - an open finding of the three guarantees or water (`guarantee_rules`);
  - any other high-severity finding.

Fail: eliminated in 2026-09 at 12,000 元, now 7,200 元 (−40%, more than 30%). Pass: eliminated and still stable.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules import income_fall
from grid_cli.model import ELIMINATED
from grid_cli.rules.base import HIGH, Context, Finding, finding, yuan
from grid_cli.rules.params import RuleConfig

ID = "eliminated_unstable"
TITLE = ("已消除户不稳定", "eliminated household unstable again")
EXPLAIN_ZH = """返贫风险（已消除户）：已消除风险的户又出现高等级风险，建议重新纳入监测（“杜绝一消了之”）。

不通过：2026-09 已消除，现在人均纯收入低于监测标准。通过：已消除，仍然稳定。"""  # `grid rules explain` in Chinese (the docstring is its English)
AFTER = True
USES = ("income_fall",)
_INCOME = {"income_below_threshold", "income_fall"}


class Config(RuleConfig):
    guarantee_rules: list[str]
    income_fall: income_fall.Config


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    mon = ctx.monitoring
    if not mon.eliminated or mon.state != ELIMINATED:  # not once re-inclusion is proposed
        return
    since = mon.eliminated_on
    before = ctx.visits.until(since) if since is not None else ()
    after = ctx.visits[len(before):]
    causes: list[tuple[str, str, dict]] = []
    latest = after[-1] if after else None
    if latest is not None and latest.residents > 0:
        if latest.net < ctx.threshold * latest.residents:
            causes.append((f"人均纯收入 {yuan(latest.per_capita)} 元 < 监测标准 {yuan(ctx.threshold)} 元（{latest.date}走访）",
                           f"per-capita income {yuan(latest.per_capita)} yuan < threshold {yuan(ctx.threshold)} ({latest.date})",
                           {"rule": "income_below_threshold", "per_capita": latest.per_capita, "threshold": ctx.threshold,
                            "visit_date": latest.date.isoformat()}))
        base = before[-1] if before else None
        share = config.income_fall.share
        # exact, as income_fall: latest pc < base pc × (1 − share)
        if base is not None and base.residents > 0 and base.net > 0 and \
                latest.net * base.residents < base.net * latest.residents * (1 - share):
            fall = 1 - latest.per_capita / base.per_capita
            causes.append((f"人均纯收入由消除时的 {yuan(base.per_capita)} 元（{base.date}）降至 {yuan(latest.per_capita)} 元，"
                           f"下降 {fall:.0%}（超过 {share:.0%}）",
                           f"per-capita income fell from {yuan(base.per_capita)} yuan at elimination ({base.date}) to "
                           f"{yuan(latest.per_capita)} yuan, down {fall:.0%} (more than {share:.0%})",
                           {"rule": "income_fall", "before": base.per_capita, "after": latest.per_capita,
                            "fall": round(fall, 4), "share": share}))
    for f in ctx.prior:
        if f.rule in _INCOME:
            continue  # judged above, against the visits after the elimination
        if f.rule in config.guarantee_rules or f.severity == HIGH:
            causes.append((f.zh, f.en, {"rule": f.rule}))
    if causes:
        month = mon.eliminated_month or "?"
        yield finding(ctx, ID, HIGH,
                      f"{month} 已消除风险，现：" + "；".join(z for z, _e, _f in causes) + "；建议重新纳入监测",
                      f"risk eliminated in {month}, now: " + "; ".join(e for _z, e, _f in causes) + "; re-inclusion suggested",
                      eliminated=month, causes=[f for _z, _e, f in causes])
