"""劳动年龄健康人口享受特困供养: a healthy member aged `min_age`-`max_age`, not in school, recorded as 特困.

Pass: 特困, 75. Fail: 特困, 30, 健康, 非在校生.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "tekun_working_age"
TITLE = ("18–59岁健康非在校生享受特困供养", "healthy working-age member on 特困")
AREA = "labour"


class Config(CheckConfig):
    min_age: int = 18
    max_age: int = 59


def check(facts, config: Config) -> Iterator[Problem]:
    where = "tekun = 1 AND age BETWEEN :lo AND :hi AND health = '健康' AND NOT in_school"
    for m in facts.members(where, {"lo": config.min_age, "hi": config.max_age}):
        yield problem(ID, m, f"{m['name']}（{m['age']}岁，健康）享受特困供养", f"{m['name']} ({m['age']}, healthy) is on 特困",
                      age=m["age"])
