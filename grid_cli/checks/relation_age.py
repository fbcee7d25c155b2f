"""与户主关系与年龄: a child not at least `gap` years younger than the head, a parent not at least `gap` years
older, a grandchild not at least 2 × `gap` years younger, or a spouse under `spouse_min_age`.

Pass: 户主 50, 之子 24. Fail: 户主 40, 之子 35 (5 years apart).
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "relation_age"
TITLE = ("与户主关系与年龄矛盾", "relation contradicts ages")
AREA = "household"
LEVEL = "member"
CHILD = ("之子", "之女", "之儿媳", "之女婿")
PARENT = ("之父", "之母", "之岳父", "之岳母", "之公公", "之婆婆")
GRANDCHILD = ("之孙子", "之孙女", "之外孙子", "之外孙女")


class Config(CheckConfig):
    gap: int = 15
    spouse_min_age: int = 16


def where(config: Config) -> str:
    return (f"age IS NOT NULL AND relation IN ({_names(CHILD + PARENT + GRANDCHILD)}, '配偶') AND ("
            f"(relation IN ({_names(CHILD)}) AND head_age - age < :gap)"
            f" OR (relation IN ({_names(PARENT)}) AND age - head_age < :gap)"
            f" OR (relation IN ({_names(GRANDCHILD)}) AND head_age - age < 2 * :gap)"
            f" OR (relation = '配偶' AND age < :spouse_min))")


def params(config: Config) -> dict:
    return {"gap": config.gap, "spouse_min": config.spouse_min_age}


def message(row, config: Config):
    return (f"{row['name']}（{row['relation']}，{row['age']}岁）与户主年龄不合",
            f"{row['name']} ({row['relation']}, {row['age']}) does not fit the head's age", {"age": row["age"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)


def _names(values) -> str:
    return ", ".join(f"'{v}'" for v in values)
