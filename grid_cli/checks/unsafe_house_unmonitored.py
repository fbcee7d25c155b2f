"""危房户未纳入监测: a household whose latest visit found the house C or D, neither monitored nor eliminated.

Pass: house B. Fail: house C, not monitored.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "unsafe_house_unmonitored"
TITLE = ("危房户未纳入监测", "unsafe house, not monitored")
AREA = "monitoring"


class Config(CheckConfig):
    grades: list[str] = ["C", "D"]


def check(facts, config: Config) -> Iterator[Problem]:
    grades = ", ".join(f"'{g}'" for g in config.grades) or "''"
    for h in facts.households(f"house_grade IN ({grades}) AND NOT monitored"):
        yield problem(ID, h, f"住房 {h['house_grade']} 级（{h['visit_date']} 走访），未纳入监测",
                      f"house grade {h['house_grade']} (visit of {h['visit_date']}), not monitored", grade=h["house_grade"])
