"""劳动年龄健康人口享受特困供养: a healthy member aged `min_age`-`max_age`, not in school, recorded as 特困.

Pass: 特困, 75. Fail: 特困, 30, 健康, 非在校生.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "tekun_working_age"
TITLE = ("18–59岁健康非在校生享受特困供养", "healthy working-age member on 特困")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    min_age: int = 18
    max_age: int = 59


def where(config: Config) -> str:
    return "tekun = 1 AND age BETWEEN :lo AND :hi AND health = '健康' AND NOT in_school"


def params(config: Config) -> dict:
    return {"lo": config.min_age, "hi": config.max_age}


def message(row, config: Config):
    return (f"{row['name']}（{row['age']}岁，健康）享受特困供养", f"{row['name']} ({row['age']}, healthy) is on 特困", {"age": row["age"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
