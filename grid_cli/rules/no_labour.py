"""缺劳动力: no resident member of working age (16–64) with ordinary or skilled labour capacity.

Fail: an elderly couple, both 丧失劳动力. Pass: a household with a 40-year-old 普通劳动力.
A working-age member whose labour skill is not recorded is not taken as proof of no labour (the
elimination rule, by contrast, needs labour proven).
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import MEDIUM, WORKING_AGE, Context, Finding, Member, RuleConfig, finding

ID = "no_labour"
TITLE = ("缺劳动力", "no labour")
EXPLAIN_ZH = """缺劳动力：常住成员中没有劳动年龄段（16–64 岁）、有普通或技能劳动能力的人。

不通过：老两口，都丧失劳动力。通过：家中有一名 40 岁普通劳动力。
劳动年龄段成员的劳动技能未登记时，不当作“无劳动力”的证据（风险消除规则则相反，需要证明有劳动力）。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    pass


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    residents = ctx.residents()
    if residents and not any(m.working_age_able(ctx.today) or (m.labour_skill is None and _working_age(m, ctx))
                             for m in residents):
        yield finding(ctx, ID, MEDIUM, "家庭常住成员中无劳动年龄段（16–64岁）的劳动力",
                      "no resident member of working age (16-64) able to work")


def _working_age(m: Member, ctx: Context) -> bool:
    age = m.age(ctx.today)
    return age is not None and WORKING_AGE[0] <= age <= WORKING_AGE[1]
