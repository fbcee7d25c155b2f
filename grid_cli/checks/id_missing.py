"""无证件号码: a member with no ID number, or only the national system's placeholder (999999…).

Pass: a member with an 18-character number. Fail: a member whose 证件号码 is empty or 999999….
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "id_missing"
TITLE = ("无证件号码（含999999占位）", "no ID number (or a 999999 placeholder)")
AREA = "identity"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "NOT id_real"


def message(row, config: Config):
    return (f"{row['name']} 无证件号码（{'占位号码' if row['n'] else '空'}）",
            f"{row['name']} has no ID number ({'a placeholder' if row['n'] else 'none'})")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
