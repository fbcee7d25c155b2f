"""是否参加大病保险为空: the serious-illness insurance not recorded, yes or no.

Pass: 是否参加大病保险 是. Fail: empty.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "serious_illness_missing"
TITLE = ("是否参加大病保险为空", "serious-illness insurance not recorded")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "serious_illness_insurance IS NULL"


def message(row, config: Config):
    return (f"{row['name']} 是否参加大病保险为空", f"{row['name']}: serious-illness insurance not recorded")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
