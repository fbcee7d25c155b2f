"""享受低保（特困）而帮扶措施无综合保障: a monitored household with a member on 低保 or 特困 and no 综合保障 measure.

Pass: a member on 低保, 综合保障 低保 in place. Fail: a member on 低保, only 产业帮扶.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks._measures import has_measure
from grid_cli.checks.base import CheckConfig, Problem

ID = "dibao_without_measure"
TITLE = ("家庭成员享受低保或特困供养但帮扶措施未登记综合保障", "on 低保/特困 but no 综合保障 measure")
AREA = "assistance"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return f"monitored AND (dibao > 0 OR tekun > 0) AND NOT {has_measure(('综合保障',))}"


def message(row, config: Config):
    return (f"有成员享受{'低保' if row['dibao'] else '特困供养'}，帮扶措施未登记综合保障",
            f"a member is on {'低保' if row['dibao'] else '特困供养'} but no 综合保障 measure is recorded")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
