"""有劳动力无人就业: the household has working-age labour but nobody works (no member in migrant or local
work or a public-welfare job, and no wage income at the latest visit). Seed 000: every 脱贫 family with
labour has at least one member employed. Applies to the household types in `applies_to`
("监测户" stands for every monitored household).

Fail: a 脱贫户 with a 35-year-old 普通劳动力, everyone 未务工, wages 0. Pass: one member 县内务工.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import MEDIUM, Context, Finding, finding
from grid_cli.rules.params import LabourRuleConfig

ID = "labour_no_work"
TITLE = ("有劳动力无人就业", "labour but nobody employed")
EXPLAIN_ZH = """有劳动力无人就业：家中有劳动年龄段的劳动力，但无人就业（没有成员外出或就近务工、在公益岗位，
最近一次走访工资性收入为 0）。种子文件 000：有劳动力的脱贫家庭至少一人就业。适用于 `applies_to`
中的户类型（“监测户”指所有已纳入监测的户）。

不通过：脱贫户有一名 35 岁普通劳动力，全家未务工，工资性收入 0。通过：有一人县内务工。"""  # `grid rules explain` in Chinese (the docstring is its English)
USES = ("labour",)


Config = LabourRuleConfig  # applies_to, and who counts as labour


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    if not config.concerns(ctx):
        return
    able = [m for m in ctx.residents() if config.labour.able(m, ctx.today)]
    if not able:
        return
    working = [m for m in ctx.members if m.work_status and m.work_status != "未务工"]
    wages = ctx.last_visit.wages if ctx.last_visit else 0
    if not working and wages <= 0:
        yield finding(ctx, ID, MEDIUM, f"家庭有 {len(able)} 名劳动力，但无人务工就业",
                      f"{len(able)} member(s) able to work, but nobody is employed", able=len(able))
