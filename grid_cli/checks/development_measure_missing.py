"""有劳动力未落实开发式帮扶: a household monitored for `months` months or more, with labour (普通 or 技能), and no
产业、就业、金融 or 公益岗位 measure in place.

Pass: monitored 8 months, a 普通劳动力, 就业帮扶. Fail: the same with only 综合保障.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks._measures import has_measure
from grid_cli.checks.base import CheckConfig, Problem

ID = "development_measure_missing"
TITLE = ("有劳动力的监测对象未落实开发式帮扶", "labour in the household, no development measure")
AREA = "assistance"
LEVEL = "household"
DEVELOPMENT = ("产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶")


class Config(CheckConfig):
    months: int = 6


def where(config: Config) -> str:
    return f"monitored AND full_labour > 0 AND identified <= date(:on, '-' || :months || ' months') AND NOT {has_measure(DEVELOPMENT)}"


def params(config: Config) -> dict:
    return {"months": config.months}


def message(row, config: Config):
    return (f"{row['identified']} 纳入，家中有劳动力，未落实产业、就业、金融或公益岗位帮扶",
            f"included {row['identified']}, labour in the household, no development measure")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
