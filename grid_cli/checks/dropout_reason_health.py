"""失学原因与健康状况: a drop-out reason of 因病 or 因残 for a member recorded as 健康.

Pass: 因残, 残疾. Fail: 因病, 健康.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "dropout_reason_health"
TITLE = ("失学原因为因病或因残但健康状况为健康", "drop-out for illness or disability but healthy")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "dropout_reason IN ('因病', '因残') AND health = '健康'"


def message(row, config: Config):
    return (f"{row['name']} 失学原因为{row['dropout_reason']}，健康状况却为健康", f"{row['name']}: drop-out reason {row['dropout_reason']} but recorded as healthy")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
