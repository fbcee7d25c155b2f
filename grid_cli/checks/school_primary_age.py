"""小学生年龄: a member recorded as in 小学 whose age is outside `min_age`-`max_age`.

Pass: 小学, 9. Fail: 小学, 16.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks import _grade_age
from grid_cli.checks.base import CheckConfig, Problem

ID = "school_primary_age"
TITLE = ("小学生年龄不在6–14岁", "primary pupil outside ages 6–14")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    min_age: int = 6
    max_age: int = 14


def where(config: Config) -> str:
    return _grade_age.outside(("primary",), config.min_age, config.max_age)


def message(row, config: Config):
    return _grade_age.message(row, config.min_age, config.max_age)


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
