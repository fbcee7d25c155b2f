"""义务教育适龄未在校: a member aged `min_age`-`max_age` who is not in school (失学辍学, 非在校生 or nothing
recorded) and has no recorded reason (失学或辍学原因).

Pass: 13, 七年级; or 13, 失学辍学 因病 (a reason). Fail: 13, 失学辍学 with no reason; 12 with 在校生状况 empty.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "compulsory_out_of_school"
TITLE = ("义务教育适龄儿童不在校且无原因", "compulsory-age child out of school with no reason")
AREA = "schooling"


class Config(CheckConfig):
    min_age: int = 6
    max_age: int = 15


def check(facts, config: Config) -> Iterator[Problem]:
    where = "age BETWEEN :lo AND :hi AND NOT in_school AND coalesce(dropout_reason, '') = ''"
    for m in facts.members(where, {"lo": config.min_age, "hi": config.max_age}):
        status = m["school_status"] or "空"
        yield problem(ID, m, f"{m['name']}（{m['age']}岁）在校生状况为{status}，无失学或辍学原因",
                      f"{m['name']} ({m['age']}) is not in school ({status}) and no reason is recorded", age=m["age"])
