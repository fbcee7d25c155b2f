"""缺劳动力: no resident member of working age able to work (who counts: the `labour` policy; by default
16–64 with ordinary, skilled or weak/half labour capacity, seed 003).

Fail: an elderly couple, both 丧失劳动力. Pass: a household with a 40-year-old 普通劳动力.
A working-age member whose labour skill is not recorded is not taken as proof of no labour (the
elimination rule, by contrast, needs labour proven).
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import MEDIUM, Context, Finding, finding
from grid_cli.rules.params import RuleConfig
from grid_cli.rules.policy import Labour

ID = "no_labour"
TITLE = ("缺劳动力", "no labour")
EXPLAIN_ZH = """缺劳动力：常住成员中没有劳动年龄段（默认 16–64 岁，县里可用 labour 设置调整）、有普通或技能劳动能力的人。

不通过：老两口，都丧失劳动力。通过：家中有一名 40 岁普通劳动力。
劳动年龄段成员的劳动技能未登记时，不当作“无劳动力”的证据（风险消除规则则相反，需要证明有劳动力）。"""  # `grid rules explain` in Chinese (the docstring is its English)
USES = ("labour",)


class Config(RuleConfig):
    labour: Labour


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    residents, labour = ctx.residents(), config.labour
    if residents and not any(labour.able(m, ctx.today) or (m.labour_skill is None and labour.working_age(m, ctx.today))
                             for m in residents):
        yield finding(ctx, ID, MEDIUM, f"家庭常住成员中无劳动年龄段（{labour.band()}岁）的劳动力",
                      f"no resident member of working age ({labour.band()}) able to work")
