"""因务工就业不稳而家中无劳动力: a monitored household at risk 因务工就业不稳 where nobody has labour (普通,
技能, 弱劳动力或半劳动力).

Pass: 因务工就业不稳 and a member 普通劳动力. Fail: 因务工就业不稳 and every member 无劳动力.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks import _risks
from grid_cli.checks.base import CheckConfig, Problem

ID = "work_risk_without_labour"
TITLE = ("风险类型为因务工就业不稳但家中均无劳动力", "risk 因务工就业不稳 with no labour")
AREA = "monitoring"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return _risks.without("因务工就业不稳", "labour = 0")


def message(row, config: Config):
    return _risks.message("因务工就业不稳", "家中无劳动力", "nobody has labour")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
