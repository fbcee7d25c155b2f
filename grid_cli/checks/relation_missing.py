"""与户主关系为空: a member whose relation to the head is not recorded.

Pass: 与户主关系 之子. Fail: empty.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "relation_missing"
TITLE = ("与户主关系为空", "relation to the head missing")
AREA = "household"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("coalesce(relation, '') = ''"):
        yield problem(ID, m, f"{m['name']} 与户主关系为空", f"{m['name']}: relation to the head missing")
