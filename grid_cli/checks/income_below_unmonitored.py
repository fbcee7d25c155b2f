"""收入低于监测标准未纳入监测: a household whose latest per-capita income is below the year's threshold and that
is not monitored.

Pass: 6,900 yuan and monitored; 9,000 yuan. Fail: 6,900 yuan against 7,600, not monitored.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem
from grid_cli.rules.base import yuan

ID = "income_below_unmonitored"
TITLE = ("人均纯收入低于监测标准但未纳入监测", "income below the threshold, not monitored")
AREA = "income"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    if facts.threshold is None:
        return
    for h in facts.households("per_capita < :threshold AND NOT monitored"):
        yield problem(ID, h, f"人均纯收入 {yuan(h['per_capita'])} 元低于监测标准 {yuan(facts.threshold)} 元，未纳入监测",
                      f"per-capita income {yuan(h['per_capita'])} below the threshold {yuan(facts.threshold)}, not monitored",
                      per_capita=h["per_capita"])
