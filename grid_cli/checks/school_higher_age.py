"""高职、本科及以上年龄: a member recorded in 高职高专, 技师学院, 本科 or above who is younger than `min_age`.

Pass: 本科二年级, 20. Fail: 高职高专一年级, 15.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks import _grade_age
from grid_cli.checks.base import CheckConfig, Problem

ID = "school_higher_age"
TITLE = ("高职高专、技师、本科及以上小于18岁", "higher-education student under 18")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    min_age: int = 18


def where(config: Config) -> str:
    return _grade_age.outside(("higher_vocational", "technician_college", "university", "postgraduate"), config.min_age, None)


def message(row, config: Config):
    return _grade_age.message(row, config.min_age, None)


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
