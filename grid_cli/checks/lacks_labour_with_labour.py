"""缺劳动力而家中有劳动力: a monitored household whose risk types include 缺劳动力 while more than `share` of
its members are 普通劳动力 or 技能劳动力.

Pass: 缺劳动力, two elderly members without labour. Fail: 缺劳动力, three members of whom two 普通劳动力.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "lacks_labour_with_labour"
TITLE = ("风险类型为缺劳动力但家中劳动力占比超过四分之一", "缺劳动力 although the household has labour")
AREA = "labour"
LEVEL = "household"


class Config(CheckConfig):
    share: float = 0.25


def where(config: Config) -> str:
    return "monitored AND EXISTS (SELECT 1 FROM json_each(risks) WHERE value = '缺劳动力') AND members > 0 AND full_labour > :share * members"


def params(config: Config) -> dict:
    return {"share": config.share}


def message(row, config: Config):
    return (f"风险类型为缺劳动力，但 {row['members']} 人中 {row['full_labour']} 人为普通或技能劳动力",
            f"risk 缺劳动力, yet {row['full_labour']} of {row['members']} members have full labour")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
