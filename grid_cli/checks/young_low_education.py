"""16-22岁文化程度为小学及以下: a member aged `min_age`-`max_age`, not in school, whose 文化程度 is 小学 or less.

Pass: 19, 高中. Fail: 18, 小学.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "young_low_education"
TITLE = ("16–22岁文化程度为小学及以下", "aged 16–22 with primary education or less")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    min_age: int = 16
    max_age: int = 22


def where(config: Config) -> str:
    return "age BETWEEN :lo AND :hi AND NOT in_school AND education IN ('文盲或半文盲', '学龄前儿童', '小学')"


def params(config: Config) -> dict:
    return {"lo": config.min_age, "hi": config.max_age}


def message(row, config: Config):
    return (f"{row['name']}（{row['age']}岁）文化程度为{row['education']}", f"{row['name']} ({row['age']}) has education {row['education']}", {"age": row["age"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
