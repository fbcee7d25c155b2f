"""帮扶消除而收入低于监测标准: a household eliminated 帮扶消除 whose latest per-capita income is below the
year's threshold.

Pass: eliminated, 9,800 yuan against 7,600. Fail: eliminated, 6,900 yuan.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem
from grid_cli.rules.base import yuan

ID = "eliminated_below_threshold"
TITLE = ("帮扶消除的监测对象人均纯收入低于监测标准", "eliminated through assistance below the threshold")
AREA = "monitoring"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "eliminated AND elim_method = '帮扶消除' AND per_capita < :threshold"


def message(row, config: Config):
    return (f"已帮扶消除，人均纯收入 {yuan(row['per_capita'])} 元低于监测标准 {yuan(row['threshold'])} 元",
            f"eliminated through assistance, per-capita income {yuan(row['per_capita'])} below {yuan(row['threshold'])}", {"per_capita": row["per_capita"]})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
