"""户主人数: a household with no 户主, or with more than one.

Pass: one member whose 与户主关系 is 户主. Fail: none, or two.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "head_count"
TITLE = ("无户主或多个户主", "no head, or more than one")
AREA = "household"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for h in facts.households("heads != 1"):
        yield problem(ID, h, f"户主 {h['heads']} 人（应为1人）", f"{h['heads']} heads (one expected)", heads=h["heads"])
