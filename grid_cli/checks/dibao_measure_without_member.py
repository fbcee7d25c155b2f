"""登记低保措施而家中无人享受低保: a 综合保障 measure naming 低保 while no member is on 低保.

Pass: 综合保障 低保 and a member on 低保. Fail: 综合保障 低保 and nobody on 低保.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks._measures import has_measure
from grid_cli.checks.base import CheckConfig, Problem

ID = "dibao_measure_without_member"
TITLE = ("帮扶措施登记低保但家中无人享受低保", "a 低保 measure with nobody on 低保")
AREA = "assistance"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return f"dibao = 0 AND {has_measure(('综合保障',), '低保')}"


def message(row, config: Config):
    return ("帮扶措施登记了低保，家中无人享受低保", "a 低保 measure is recorded but nobody is on 低保")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
