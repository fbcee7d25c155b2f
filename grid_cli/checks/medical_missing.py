"""是否参加基本医疗保险为空: neither the 城乡居民 nor the 城镇职工 scheme recorded, yes or no.

Pass: 城乡居民 是. Fail: both empty.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "medical_missing"
TITLE = ("是否参加城乡居民（职工）基本医疗保险同时为空", "basic medical insurance not recorded")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "medical_insurance IS NULL AND employee_medical_insurance IS NULL"


def message(row, config: Config):
    return (f"{row['name']} 是否参加基本医疗保险为空", f"{row['name']}: basic medical insurance not recorded")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
