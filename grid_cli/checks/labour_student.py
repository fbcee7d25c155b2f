"""在校生有劳动能力: a member in school (any stage) whose 劳动技能 is not 无劳动力.

Pass: 八年级, 无劳动力. Fail: 普通高中二年级, 普通劳动力.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "labour_student"
TITLE = ("在校生劳动技能不是无劳动力", "a student recorded with a labour skill")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "in_school AND coalesce(labour_skill, '无劳动力') != '无劳动力'"


def message(row, config: Config):
    return (f"{row['name']} 在校（{row['school_status']}），劳动技能为{row['labour_skill']}",
            f"{row['name']} is in school ({row['school_status']}) and recorded as {row['labour_skill']}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
