"""健康状况为空: a member whose health is not recorded.

Pass: 健康状况 健康. Fail: empty.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "health_missing"
TITLE = ("健康状况为空", "health missing")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "coalesce(health, '') = ''"


def message(row, config: Config):
    return (f"{row['name']} 健康状况为空", f"{row['name']}: health missing")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
