"""因残而家中无残疾人: a monitored household at risk 因残 with no member recorded as 残疾.

Pass: 因残 and a member 残疾. Fail: 因残 and nobody 残疾.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks import _risks
from grid_cli.checks.base import CheckConfig, Problem

ID = "disability_risk_without_disabled"
TITLE = ("风险类型为因残但家中无残疾人", "risk 因残 with nobody disabled")
AREA = "monitoring"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return _risks.without("因残", "disabled = 0")


def message(row, config: Config):
    return _risks.message("因残", "家中无残疾人", "no member is disabled")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
