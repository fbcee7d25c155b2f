"""监测对象无风险类型: a monitored household with no 致贫/返贫风险 recorded.

Pass: monitored with 因病. Fail: monitored with no risk type.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "monitored_without_risk"
TITLE = ("监测对象未填写致贫返贫风险", "monitored with no risk type")
AREA = "monitoring"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "monitored AND json_array_length(risks) = 0"


def message(row, config: Config):
    return ("纳入监测但未填写致贫返贫风险", "monitored but no risk type recorded")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
