"""因病而家中无病人: a monitored household at risk 因病 with no member 长期慢性病 or 患有大病.

Pass: 因病 and a member 患有大病. Fail: 因病 and everyone 健康.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks import _risks
from grid_cli.checks.base import CheckConfig, Problem

ID = "illness_risk_without_patient"
TITLE = ("风险类型为因病但家中无患有大病、慢性病人员", "risk 因病 with nobody ill")
AREA = "monitoring"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return _risks.without("因病", "ill = 0")


def message(row, config: Config):
    return _risks.message("因病", "家中无患有大病或长期慢性病的成员", "no member is chronically or seriously ill")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
