"""基本医疗有保障: every member enrolled in basic medical insurance, 城乡居民 or, as the national system also
records, 城镇职工 (high); a chronic or seriously ill member without a 慢病卡 or a signed family doctor (medium).

Fail: a member with 是否参加城乡居民基本医疗保险 = 否 and not in the employees' scheme. Pass: all enrolled
(either scheme), chronic patients with a card.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import HIGH, MEDIUM, Context, Finding, finding
from grid_cli.rules.params import RuleConfig

ID = "medical"
TITLE = ("基本医疗保障", "basic medical care")
EXPLAIN_ZH = """基本医疗有保障：每名成员参加城乡居民基本医疗保险（未参加为高等级）；慢性病或大病患者没有慢病卡
或未签约家庭医生（中等级）。

不通过：有成员“是否参加城乡居民基本医疗保险”为 否。通过：全部参保，慢病患者有慢病卡。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    check_chronic_card: bool


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    uninsured = [m for m in ctx.members if m.medical_insurance is False and not m.employee_medical_insurance]
    if uninsured:
        names = "、".join(m.name for m in uninsured)
        yield finding(
            ctx, ID, HIGH,
            f"家庭成员未参加基本医疗保险：{names}",
            f"members without basic medical insurance: {names}",
            members=[m.id for m in uninsured],
        )
    if config.check_chronic_card:
        for m in ctx.members:
            if m.health in ("长期慢性病", "患有大病") and m.chronic_card is False:
                yield finding(
                    ctx, ID, MEDIUM,
                    f"{m.name}（{m.health}）未办理慢病卡或签约家庭医生",
                    f"{m.name} ({m.health}) has no chronic-illness card or family doctor",
                    member=m.id,
                )
