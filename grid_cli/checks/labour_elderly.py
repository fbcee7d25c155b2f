"""60岁及以上为普通或技能劳动力: a member aged `age` or more recorded as 普通劳动力 or 技能劳动力.

Pass: 66, 弱劳动力或半劳动力. Fail: 72, 普通劳动力.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "labour_elderly"
TITLE = ("60岁及以上人口为普通或技能劳动力", "60 or over recorded as full labour")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    age: int = 60


def where(config: Config) -> str:
    return "age >= :age AND labour_skill IN ('普通劳动力', '技能劳动力')"


def params(config: Config) -> dict:
    return {"age": config.age}


def message(row, config: Config):
    return (f"{row['name']}（{row['age']}岁）劳动技能为{row['labour_skill']}", f"{row['name']} ({row['age']}) is recorded as {row['labour_skill']}", {"age": row["age"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
