"""16-22岁文化程度为小学及以下: a member aged `min_age`-`max_age`, not in school, whose 文化程度 is 小学 or less.

Pass: 19, 高中. Fail: 18, 小学.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "young_low_education"
TITLE = ("16–22岁文化程度为小学及以下", "aged 16–22 with primary education or less")
AREA = "schooling"


class Config(CheckConfig):
    min_age: int = 16
    max_age: int = 22


def check(facts, config: Config) -> Iterator[Problem]:
    where = "age BETWEEN :lo AND :hi AND NOT in_school AND education IN ('文盲或半文盲', '学龄前儿童', '小学')"
    for m in facts.members(where, {"lo": config.min_age, "hi": config.max_age}):
        yield problem(ID, m, f"{m['name']}（{m['age']}岁）文化程度为{m['education']}",
                      f"{m['name']} ({m['age']}) has education {m['education']}", age=m["age"])
