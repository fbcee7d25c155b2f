"""监测对象无帮扶措施: a household monitored for more than `days` days with no measure in place.

Pass: included 90 days ago, 产业帮扶 in place. Fail: included 90 days ago, no measure.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "measure_missing"
TITLE = ("识别纳入超过1个月未落实帮扶措施", "monitored over a month with no measure")
AREA = "assistance"


class Config(CheckConfig):
    days: int = 30


def check(facts, config: Config) -> Iterator[Problem]:
    where = "monitored AND measures = 0 AND identified IS NOT NULL AND julianday(:on) - julianday(identified) > :days"
    for h in facts.households(where, {"days": config.days}):
        yield problem(ID, h, f"{h['identified']} 纳入监测，至今无帮扶措施", f"included on {h['identified']}, no measure in place")
