"""户主与配偶同性别: the head and the member recorded as 配偶 have the same sex.

Pass: 户主 男, 配偶 女. Fail: both 男.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "spouse_same_sex"
TITLE = ("户主与配偶同性别", "head and spouse of the same sex")
AREA = "household"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "relation = '配偶' AND sex IS NOT NULL AND sex = head_sex"


def message(row, config: Config):
    return (f"配偶 {row['name']} 与户主同为{row['sex']}性", f"spouse {row['name']} has the head's sex ({row['sex']})")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
