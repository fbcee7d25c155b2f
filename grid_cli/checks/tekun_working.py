"""特困供养人员外出务工: a member on 特困 also recorded as working away (县内、省内县外 or 省外务工).

Pass: 特困, 未务工. Fail: 特困, 省外务工.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "tekun_working"
TITLE = ("享受特困供养的人口外出务工", "on 特困 and working away")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("tekun = 1 AND work_status IN ('县内务工', '省内县外务工', '省外务工')"):
        yield problem(ID, m, f"{m['name']} 享受特困供养，又{m['work_status']}", f"{m['name']} is on 特困 and recorded as {m['work_status']}")
