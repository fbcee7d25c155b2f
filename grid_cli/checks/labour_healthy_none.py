"""健康劳动年龄人口无劳动能力: a healthy member aged `min_age`-`max_age`, not in school, recorded as 无劳动力,
丧失劳动力 or (with `weak`) 弱劳动力或半劳动力.

Pass: 40, 健康, 普通劳动力. Fail: 35, 健康, 无劳动力.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "labour_healthy_none"
TITLE = ("16–59岁健康非在校人口无劳动能力", "healthy, working-age, not in school, yet no labour")
AREA = "labour"


class Config(CheckConfig):
    min_age: int = 16
    max_age: int = 59
    weak: bool = True


def check(facts, config: Config) -> Iterator[Problem]:
    skills = "'无劳动力', '丧失劳动力'" + (", '弱劳动力或半劳动力'" if config.weak else "")
    where = f"age BETWEEN :lo AND :hi AND health = '健康' AND NOT in_school AND labour_skill IN ({skills})"
    for m in facts.members(where, {"lo": config.min_age, "hi": config.max_age}):
        yield problem(ID, m, f"{m['name']}（{m['age']}岁，健康）劳动技能为{m['labour_skill']}",
                      f"{m['name']} ({m['age']}, healthy) is recorded as {m['labour_skill']}", age=m["age"])
