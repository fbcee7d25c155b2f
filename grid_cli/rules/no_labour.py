"""缺劳动力: no resident member of working age (16–64) with ordinary or skilled labour capacity.

Fail: an elderly couple, both 丧失劳动力. Pass: a household with a 40-year-old 普通劳动力.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import MEDIUM, Context, Finding, RuleConfig, finding

ID = "no_labour"
TITLE = ("缺劳动力", "no labour")


class Config(RuleConfig):
    pass


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    residents = ctx.residents()
    if residents and not any(m.working_age_able(ctx.today) for m in residents):
        yield finding(ctx, ID, MEDIUM, "家庭常住成员中无劳动年龄段（16–64岁）的劳动力",
                      "no resident member of working age (16-64) able to work")
