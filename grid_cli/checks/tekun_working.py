"""特困供养人员外出务工: a member on 特困 also recorded as working away (县内、省内县外 or 省外务工).

Pass: 特困, 未务工. Fail: 特困, 省外务工.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "tekun_working"
TITLE = ("享受特困供养的人口外出务工", "on 特困 and working away")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "tekun = 1 AND work_status IN ('县内务工', '省内县外务工', '省外务工')"


def message(row, config: Config):
    return (f"{row['name']} 享受特困供养，又{row['work_status']}", f"{row['name']} is on 特困 and recorded as {row['work_status']}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
