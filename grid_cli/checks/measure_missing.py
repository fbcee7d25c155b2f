"""监测对象无帮扶措施: a household monitored for more than `days` days with no measure in place.

Pass: included 90 days ago, 产业帮扶 in place. Fail: included 90 days ago, no measure.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "measure_missing"
TITLE = ("识别纳入超过1个月未落实帮扶措施", "monitored over a month with no measure")
AREA = "assistance"
LEVEL = "household"


class Config(CheckConfig):
    days: int = 30


def where(config: Config) -> str:
    return "monitored AND measures = 0 AND identified IS NOT NULL AND julianday(:on) - julianday(identified) > :days"


def params(config: Config) -> dict:
    return {"days": config.days}


def message(row, config: Config):
    return (f"{row['identified']} 纳入监测，至今无帮扶措施", f"included on {row['identified']}, no measure in place")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
