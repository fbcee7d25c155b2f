"""是否参加基本医疗保险为空: neither the 城乡居民 nor the 城镇职工 scheme recorded, yes or no.

Pass: 城乡居民 是. Fail: both empty.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "medical_missing"
TITLE = ("是否参加城乡居民（职工）基本医疗保险同时为空", "basic medical insurance not recorded")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("medical_insurance IS NULL AND employee_medical_insurance IS NULL"):
        yield problem(ID, m, f"{m['name']} 是否参加基本医疗保险为空", f"{m['name']}: basic medical insurance not recorded")
