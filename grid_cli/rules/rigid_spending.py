"""支出骤增（突发严重困难）: rigid, eligible out-of-pocket spending (medical first) above a configured
amount, or above a configured share of the household's net income.

Fail (amount 20,000, share 0.5): 合规自付支出 25,000 元. Pass: 20,000 元 against a net income of
50,000 元 (not above the amount, and 40% of income).
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from grid_cli.rules.base import HIGH, Context, Finding, finding, yuan
from grid_cli.rules.params import RuleConfig

ID = "rigid_spending"
TITLE = ("刚性支出过大", "heavy rigid spending")
EXPLAIN_ZH = """支出骤增（突发严重困难）：合规自付的刚性支出（先算医疗）超过设定金额，或超过家庭纯收入的设定比例。

不通过（金额 20,000，比例 0.5）：合规自付支出 25,000 元。通过：20,000 元，纯收入 50,000 元
（未超过金额，占收入 40%）。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    amount: int = Field(ge=0, le=10_000_000, description="yuan per year of 合规自付支出 above which a household is flagged")
    share: float = Field(gt=0, le=10, description="flag when rigid spending exceeds this share of net income")


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    visit = ctx.last_visit
    if visit is None or visit.rigid <= 0:
        return
    over_amount = visit.rigid > config.amount
    over_share = visit.rigid > config.share * max(visit.net, 0)
    if over_amount or over_share:
        reason_zh = f"超过 {yuan(config.amount)} 元" if over_amount else f"超过家庭纯收入的 {config.share:.0%}"
        reason_en = f"above {yuan(config.amount)} yuan" if over_amount else f"above {config.share:.0%} of net income"
        yield finding(
            ctx, ID, HIGH,
            f"合规自付支出 {yuan(visit.rigid)} 元（其中医疗 {yuan(visit.medical)} 元），{reason_zh}；家庭纯收入 {yuan(visit.net)} 元",
            f"eligible out-of-pocket spending {yuan(visit.rigid)} yuan (medical {yuan(visit.medical)}), {reason_en}; "
            f"household net income {yuan(visit.net)} yuan",
            rigid=visit.rigid, medical=visit.medical, net=visit.net,
        )
