"""初中生年龄: a member recorded in 初中 (七年级, 八年级, 九年级) whose age is outside `min_age`-`max_age`.

Pass: 七年级, 13. Fail: 七年级, 19.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks import _grade_age
from grid_cli.checks.base import CheckConfig, Problem

ID = "school_junior_age"
TITLE = ("初中生年龄不在12–17岁", "junior-secondary pupil outside ages 12–17")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    min_age: int = 12
    max_age: int = 17


def where(config: Config) -> str:
    return _grade_age.outside(("junior",), config.min_age, config.max_age)


def message(row, config: Config):
    return _grade_age.message(row, config.min_age, config.max_age)


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
