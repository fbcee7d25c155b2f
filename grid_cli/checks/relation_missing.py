"""与户主关系为空: a member whose relation to the head is not recorded.

Pass: 与户主关系 之子. Fail: empty.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "relation_missing"
TITLE = ("与户主关系为空", "relation to the head missing")
AREA = "household"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "coalesce(relation, '') = ''"


def message(row, config: Config):
    return (f"{row['name']} 与户主关系为空", f"{row['name']}: relation to the head missing")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
