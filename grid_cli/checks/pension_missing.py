"""是否参加基本养老保险为空: neither the 城乡居民 nor the 城镇职工 pension recorded, yes or no.

Pass: 城乡居民基本养老保险 否. Fail: both empty.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "pension_missing"
TITLE = ("是否参加城乡居民（城镇职工）基本养老保险同时为空", "basic pension insurance not recorded")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("pension_insurance IS NULL AND employee_pension_insurance IS NULL"):
        yield problem(ID, m, f"{m['name']} 是否参加基本养老保险为空", f"{m['name']}: basic pension insurance not recorded")
