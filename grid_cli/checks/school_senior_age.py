"""高中、中职生年龄: a member recorded in 高中 or 中职 (any year) whose age is outside `min_age`-`max_age`.

Pass: 普通高中二年级, 17. Fail: 中职一年级, 13.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks import _grade_age
from grid_cli.checks.base import CheckConfig, Problem

ID = "school_senior_age"
TITLE = ("高中、中职生年龄不在15–20岁", "senior-secondary or vocational pupil outside ages 15–20")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    min_age: int = 15
    max_age: int = 20


def where(config: Config) -> str:
    return _grade_age.outside(("senior", "secondary_vocational"), config.min_age, config.max_age)


def message(row, config: Config):
    return _grade_age.message(row, config.min_age, config.max_age)


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
