"""务工人口无劳动能力: a member recorded as working (any 务工状况 but 未务工) whose 劳动技能 is 无劳动力 or 丧失劳动力.

Pass: 县内务工, 普通劳动力. Fail: 省外务工, 无劳动力.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "work_without_labour"
TITLE = ("务工人口无（含丧失）劳动能力", "working but recorded without labour")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("coalesce(work_status, '未务工') != '未务工' AND labour_skill IN ('无劳动力', '丧失劳动力')"):
        yield problem(ID, m, f"{m['name']} {m['work_status']}，劳动技能却为{m['labour_skill']}",
                      f"{m['name']} is recorded as {m['work_status']} and as {m['labour_skill']}")
