"""健康状况为空: a member whose health is not recorded.

Pass: 健康状况 健康. Fail: empty.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "health_missing"
TITLE = ("健康状况为空", "health missing")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("coalesce(health, '') = ''"):
        yield problem(ID, m, f"{m['name']} 健康状况为空", f"{m['name']}: health missing")
