"""16岁以下有劳动能力: a member under `age` whose 劳动技能 is anything but 无劳动力.

Pass: 12, 无劳动力. Fail: 14, 普通劳动力.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "labour_child"
TITLE = ("16岁以下人口劳动技能不是无劳动力", "under 16 with a labour skill")
AREA = "labour"


class Config(CheckConfig):
    age: int = 16


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("age < :age AND coalesce(labour_skill, '无劳动力') != '无劳动力'", {"age": config.age}):
        yield problem(ID, m, f"{m['name']}（{m['age']}岁）劳动技能为{m['labour_skill']}",
                      f"{m['name']} ({m['age']}) is recorded as {m['labour_skill']}", age=m["age"])
