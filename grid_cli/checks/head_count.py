"""户主人数: a household with no 户主, or with more than one.

Pass: one member whose 与户主关系 is 户主. Fail: none, or two.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "head_count"
TITLE = ("无户主或多个户主", "no head, or more than one")
AREA = "household"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "heads != 1"


def message(row, config: Config):
    return (f"户主 {row['heads']} 人（应为1人）", f"{row['heads']} heads (one expected)", {"heads": row["heads"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
