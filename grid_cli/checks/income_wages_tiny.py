"""工资性收入不合理: the latest visit's yearly wage income is above 0 and below `minimum` yuan (a monthly figure
or a slip).

Pass: wages 0, or 24,000. Fail: wages 50.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "income_wages_tiny"
TITLE = ("工资性收入大于0小于100元", "wage income above 0 but under 100 yuan")
AREA = "income"
LEVEL = "household"


class Config(CheckConfig):
    minimum: int = 100


def where(config: Config) -> str:
    return "wages > 0 AND wages < :minimum"


def params(config: Config) -> dict:
    return {"minimum": config.minimum}


def message(row, config: Config):
    return (f"{row['visit_date']} 走访记工资性收入 {row['wages']} 元/年", f"visit of {row['visit_date']}: wages {row['wages']} yuan a year")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
