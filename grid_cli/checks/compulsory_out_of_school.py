"""义务教育适龄未在校: a member aged `min_age`-`max_age` who is not in school (失学辍学, 非在校生 or nothing
recorded) and has no recorded reason (失学或辍学原因).

Pass: 13, 七年级; or 13, 失学辍学 因病 (a reason). Fail: 13, 失学辍学 with no reason; 12 with 在校生状况 empty.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "compulsory_out_of_school"
TITLE = ("义务教育适龄儿童不在校且无原因", "compulsory-age child out of school with no reason")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    min_age: int = 6
    max_age: int = 15


def where(config: Config) -> str:
    return "age BETWEEN :lo AND :hi AND NOT in_school AND coalesce(dropout_reason, '') = ''"


def params(config: Config) -> dict:
    return {"lo": config.min_age, "hi": config.max_age}


def message(row, config: Config):
    return (f"{row['name']}（{row['age']}岁）在校生状况为{row['school_status'] or '空'}，无失学或辍学原因",
            f"{row['name']} ({row['age']}) is not in school ({row['school_status'] or 'empty'}) and no reason is recorded", {"age": row["age"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
