"""危房户未纳入监测: a household whose latest visit found the house C or D, neither monitored nor eliminated.

Pass: house B. Fail: house C, not monitored.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "unsafe_house_unmonitored"
TITLE = ("危房户未纳入监测", "unsafe house, not monitored")
AREA = "monitoring"
LEVEL = "household"


class Config(CheckConfig):
    grades: list[str] = ["C", "D"]


def where(config: Config) -> str:
    return "house_grade IN (" + (", ".join(f"'{g}'" for g in config.grades) or "''") + ") AND NOT monitored"


def message(row, config: Config):
    return (f"住房 {row['house_grade']} 级（{row['visit_date']} 走访），未纳入监测",
            f"house grade {row['house_grade']} (visit of {row['visit_date']}), not monitored", {"grade": row["house_grade"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
