"""小额信贷到期: a 金融帮扶 measure (small loan) with a due date within `days_ahead` days (medium) or
already past (high), while the measure is still open. A 续贷 or 展期 (`grid monitor extend`) moves the due
date. `max_amount` and `max_years` are the limits `grid monitor measure` holds a new loan to (seed 000:
≤50,000 yuan, ≤3 years, renewals and extensions allowed).

Fail: due in 5 days. Pass: due in 8 days, or the measure ended (repaid).
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from grid_cli.rules.base import HIGH, MEDIUM, Context, Finding, finding, yuan
from grid_cli.rules.params import RuleConfig

ID = "small_loan_due"
TITLE = ("小额信贷到期", "small loan due")
EXPLAIN_ZH = """小额信贷到期：金融帮扶措施（小额信贷）在 `days_ahead` 天内到期（中等级），或已逾期（高等级），
而该措施尚未结束。

不通过：5 天后到期。通过：8 天后到期，或措施已结束（已还清）。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    days_ahead: int = Field(ge=0, le=366)
    max_amount: int = Field(gt=0, le=1_000_000)
    max_years: int = Field(ge=1, le=10)


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    for m in ctx.monitoring.measures:
        if m.kind != "金融帮扶" or m.due is None:
            continue
        days = (m.due - ctx.today).days
        amount = f"{yuan(m.amount)} 元" if m.amount else ""
        if days < 0:
            yield finding(ctx, ID, HIGH, f"小额信贷 {amount} 已于 {m.due} 逾期 {-days} 天",
                          f"small loan {amount.replace('元', 'yuan')} overdue since {m.due} ({-days} days)",
                          measure=m.id, due=m.due.isoformat(), days=days)
        elif days <= config.days_ahead:
            yield finding(ctx, ID, MEDIUM, f"小额信贷 {amount} 将于 {m.due} 到期（{days} 天后）",
                          f"small loan {amount.replace('元', 'yuan')} due on {m.due} (in {days} days)",
                          measure=m.id, due=m.due.isoformat(), days=days)
