"""劳动技能为空: a member whose labour skill is not recorded.

Pass: 劳动技能 无劳动力. Fail: empty.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "labour_missing"
TITLE = ("劳动技能为空", "labour skill missing")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("coalesce(labour_skill, '') = ''"):
        yield problem(ID, m, f"{m['name']} 劳动技能为空", f"{m['name']}: labour skill missing")
