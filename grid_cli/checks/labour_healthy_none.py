"""健康劳动年龄人口无劳动能力: a healthy member aged `min_age`-`max_age`, not in school, recorded as 无劳动力,
丧失劳动力 or (with `weak`) 弱劳动力或半劳动力.

Pass: 40, 健康, 普通劳动力. Fail: 35, 健康, 无劳动力.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "labour_healthy_none"
TITLE = ("16–59岁健康非在校人口无劳动能力", "healthy, working-age, not in school, yet no labour")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    min_age: int = 16
    max_age: int = 59
    weak: bool = True


def where(config: Config) -> str:
    return ("age BETWEEN :lo AND :hi AND health = '健康' AND NOT in_school AND labour_skill IN ('无劳动力', '丧失劳动力'"
            + (", '弱劳动力或半劳动力'" if config.weak else "") + ")")


def params(config: Config) -> dict:
    return {"lo": config.min_age, "hi": config.max_age}


def message(row, config: Config):
    return (f"{row['name']}（{row['age']}岁，健康）劳动技能为{row['labour_skill']}",
            f"{row['name']} ({row['age']}, healthy) is recorded as {row['labour_skill']}", {"age": row["age"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
