"""帮扶消除而收入低于监测标准: a household eliminated 帮扶消除 whose latest per-capita income is below the
year's threshold.

Pass: eliminated, 9,800 yuan against 7,600. Fail: eliminated, 6,900 yuan.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem
from grid_cli.rules.base import yuan

ID = "eliminated_below_threshold"
TITLE = ("帮扶消除的监测对象人均纯收入低于监测标准", "eliminated through assistance below the threshold")
AREA = "monitoring"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    if facts.threshold is None:
        return
    for h in facts.households("eliminated AND elim_method = '帮扶消除' AND per_capita < :threshold"):
        yield problem(ID, h, f"已帮扶消除，人均纯收入 {yuan(h['per_capita'])} 元低于监测标准 {yuan(facts.threshold)} 元",
                      f"eliminated through assistance, per-capita income {yuan(h['per_capita'])} below {yuan(facts.threshold)}",
                      per_capita=h["per_capita"])
