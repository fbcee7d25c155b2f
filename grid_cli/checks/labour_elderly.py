"""60岁及以上为普通或技能劳动力: a member aged `age` or more recorded as 普通劳动力 or 技能劳动力.

Pass: 66, 弱劳动力或半劳动力. Fail: 72, 普通劳动力.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "labour_elderly"
TITLE = ("60岁及以上人口为普通或技能劳动力", "60 or over recorded as full labour")
AREA = "labour"


class Config(CheckConfig):
    age: int = 60


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("age >= :age AND labour_skill IN ('普通劳动力', '技能劳动力')", {"age": config.age}):
        yield problem(ID, m, f"{m['name']}（{m['age']}岁）劳动技能为{m['labour_skill']}",
                      f"{m['name']} ({m['age']}) is recorded as {m['labour_skill']}", age=m["age"])
