"""是否参加大病保险为空: the serious-illness insurance not recorded, yes or no.

Pass: 是否参加大病保险 是. Fail: empty.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "serious_illness_missing"
TITLE = ("是否参加大病保险为空", "serious-illness insurance not recorded")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("serious_illness_insurance IS NULL"):
        yield problem(ID, m, f"{m['name']} 是否参加大病保险为空", f"{m['name']}: serious-illness insurance not recorded")
