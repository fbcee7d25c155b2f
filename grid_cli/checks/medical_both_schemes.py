"""同时参加城乡居民和城镇职工基本医疗保险: both schemes recorded 是 (one person is in one scheme).

Pass: 城乡居民 是, 城镇职工 否. Fail: both 是.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "medical_both_schemes"
TITLE = ("同时参加城乡居民和城镇职工基本医疗保险", "in both basic medical insurance schemes")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("medical_insurance = 1 AND employee_medical_insurance = 1"):
        yield problem(ID, m, f"{m['name']} 同时参加城乡居民和城镇职工基本医疗保险", f"{m['name']} is recorded in both schemes")
