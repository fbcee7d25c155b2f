"""同时参加城乡居民和城镇职工基本医疗保险: both schemes recorded 是 (one person is in one scheme).

Pass: 城乡居民 是, 城镇职工 否. Fail: both 是.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "medical_both_schemes"
TITLE = ("同时参加城乡居民和城镇职工基本医疗保险", "in both basic medical insurance schemes")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "medical_insurance = 1 AND employee_medical_insurance = 1"


def message(row, config: Config):
    return (f"{row['name']} 同时参加城乡居民和城镇职工基本医疗保险", f"{row['name']} is recorded in both schemes")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
