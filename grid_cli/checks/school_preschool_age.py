"""学龄前、学前教育年龄: a healthy member aged `max_age` + 1 or more still recorded as 学龄前儿童 or 学前教育.

Pass: 学前教育, 5. Fail: 学龄前儿童, 8 and 健康.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks import _grade_age
from grid_cli.checks.base import CheckConfig, Problem

ID = "school_preschool_age"
TITLE = ("7岁及以上健康人口为学龄前儿童或学前教育", "healthy member of 7 or more still pre-school")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    max_age: int = 6


def where(config: Config) -> str:
    return _grade_age.outside(("preschool",), None, config.max_age, " AND health = '健康'")


def message(row, config: Config):
    return _grade_age.message(row, None, config.max_age)


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
