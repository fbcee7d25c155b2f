"""收入低于监测标准未纳入监测: a household whose latest per-capita income is below the year's threshold and that
is not monitored.

Pass: 6,900 yuan and monitored; 9,000 yuan. Fail: 6,900 yuan against 7,600, not monitored.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem
from grid_cli.rules.base import yuan

ID = "income_below_unmonitored"
TITLE = ("人均纯收入低于监测标准但未纳入监测", "income below the threshold, not monitored")
AREA = "income"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "per_capita < :threshold AND NOT monitored"


def message(row, config: Config):
    return (f"人均纯收入 {yuan(row['per_capita'])} 元低于监测标准 {yuan(row['threshold'])} 元，未纳入监测",
            f"per-capita income {yuan(row['per_capita'])} below the threshold {yuan(row['threshold'])}, not monitored", {"per_capita": row["per_capita"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
