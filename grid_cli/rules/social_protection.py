"""应保尽保: a household with no labour that has neither 低保 nor 特困供养 (seeds 002, 003: those who have lost
their capacity to work and cannot earn a stable income are to be brought under 最低生活保障 or 特困人员救助供养).
Covered means: the household flag 低保 or 特困, a member with 是否享受农村最低生活保障 or 是否特困供养人员 = 是, or
an active 综合保障 measure. Who counts as labour is the `labour` policy; applies to the household types in
`applies_to` ("监测户" stands for every monitored household).

Fail: a 脱贫户 of two 75-year-olds with no 低保, no 特困 and no 综合保障. Pass: the same household with 低保.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import MEDIUM, Context, Finding, finding
from grid_cli.rules.params import LabourRuleConfig

ID = "social_protection"
TITLE = ("应保尽保", "social protection for households without labour")
EXPLAIN_ZH = """应保尽保：家中没有劳动力（谁算劳动力见 labour 设置），既未享受低保或特困供养，也没有在实施的综合保障措施。
种子文件 002、003：丧失劳动能力、无法通过产业就业获得稳定收入的，纳入最低生活保障或特困人员救助供养。
适用于 `applies_to` 中的户类型（“监测户”指所有已纳入监测的户）。

不通过：两位 75 岁老人的脱贫户，无低保、无特困、无综合保障。通过：同一户享受低保。"""  # `grid rules explain` in Chinese (the docstring is its English)
USES = ("labour",)


Config = LabourRuleConfig  # applies_to, and who counts as labour


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    residents = ctx.residents()
    if not config.concerns(ctx) or not residents:
        return
    labour = config.labour
    if any(labour.able(m, ctx.today) or (m.labour_skill is None and labour.working_age(m, ctx.today)) for m in residents):
        return
    covered = ({"低保", "特困"} & set(ctx.flags) or any(m.dibao or m.tekun for m in ctx.members)
               or any(m.kind == "综合保障" for m in ctx.monitoring.measures))
    if not covered:
        yield finding(ctx, ID, MEDIUM, "家庭无劳动力，未享受低保或特困供养，也无综合保障措施（应保尽保）",
                      "no labour in the household, and neither 低保 nor 特困 support nor a 综合保障 measure (应保尽保)")
