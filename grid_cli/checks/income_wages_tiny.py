"""工资性收入不合理: the latest visit's yearly wage income is above 0 and below `minimum` yuan (a monthly figure
or a slip).

Pass: wages 0, or 24,000. Fail: wages 50.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "income_wages_tiny"
TITLE = ("工资性收入大于0小于100元", "wage income above 0 but under 100 yuan")
AREA = "income"


class Config(CheckConfig):
    minimum: int = 100


def check(facts, config: Config) -> Iterator[Problem]:
    for h in facts.households("wages > 0 AND wages < :minimum", {"minimum": config.minimum}):
        yield problem(ID, h, f"{h['visit_date']} 走访记工资性收入 {h['wages']} 元/年", f"visit of {h['visit_date']}: wages {h['wages']} yuan a year")
