"""在校生有劳动能力: a member in school (any stage) whose 劳动技能 is not 无劳动力.

Pass: 八年级, 无劳动力. Fail: 普通高中二年级, 普通劳动力.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "labour_student"
TITLE = ("在校生劳动技能不是无劳动力", "a student recorded with a labour skill")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("in_school AND coalesce(labour_skill, '无劳动力') != '无劳动力'"):
        yield problem(ID, m, f"{m['name']} 在校（{m['school_status']}），劳动技能为{m['labour_skill']}",
                      f"{m['name']} is in school ({m['school_status']}) and recorded as {m['labour_skill']}")
