"""16岁以下有劳动能力: a member under `age` whose 劳动技能 is anything but 无劳动力.

Pass: 12, 无劳动力. Fail: 14, 普通劳动力.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "labour_child"
TITLE = ("16岁以下人口劳动技能不是无劳动力", "under 16 with a labour skill")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    age: int = 16


def where(config: Config) -> str:
    return "age < :age AND coalesce(labour_skill, '无劳动力') != '无劳动力'"


def params(config: Config) -> dict:
    return {"age": config.age}


def message(row, config: Config):
    return (f"{row['name']}（{row['age']}岁）劳动技能为{row['labour_skill']}", f"{row['name']} ({row['age']}) is recorded as {row['labour_skill']}", {"age": row["age"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
