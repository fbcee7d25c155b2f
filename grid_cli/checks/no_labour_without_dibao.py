"""整户无劳动力而无人享受低保: every member 无劳动力 or 丧失劳动力, and nobody on 低保 (nor the household flagged 低保).

Pass: two members without labour, one on 低保. Fail: the same, nobody on 低保.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "no_labour_without_dibao"
TITLE = ("整户无劳动力但家中无享受最低生活保障人员", "no labour at all, nobody on 低保")
AREA = "labour"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "members > 0 AND no_labour = members AND dibao = 0 AND coalesce(flags, '') NOT LIKE '%低保%'"


def message(row, config: Config):
    return (f"整户 {row['members']} 人无劳动力，无人享受低保", f"none of the {row['members']} members has labour and nobody is on 低保")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
