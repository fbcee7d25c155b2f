"""务工人口无劳动能力: a member recorded as working (any 务工状况 but 未务工) whose 劳动技能 is 无劳动力 or 丧失劳动力.

Pass: 县内务工, 普通劳动力. Fail: 省外务工, 无劳动力.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "work_without_labour"
TITLE = ("务工人口无（含丧失）劳动能力", "working but recorded without labour")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "coalesce(work_status, '未务工') != '未务工' AND labour_skill IN ('无劳动力', '丧失劳动力')"


def message(row, config: Config):
    return (f"{row['name']} {row['work_status']}，劳动技能却为{row['labour_skill']}", f"{row['name']} is recorded as {row['work_status']} and as {row['labour_skill']}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
