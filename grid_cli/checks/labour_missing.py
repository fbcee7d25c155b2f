"""劳动技能为空: a member whose labour skill is not recorded.

Pass: 劳动技能 无劳动力. Fail: empty.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "labour_missing"
TITLE = ("劳动技能为空", "labour skill missing")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "coalesce(labour_skill, '') = ''"


def message(row, config: Config):
    return (f"{row['name']} 劳动技能为空", f"{row['name']}: labour skill missing")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
