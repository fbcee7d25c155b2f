"""帮扶消除而从无帮扶措施: a household eliminated 帮扶消除 that never had a measure.

Pass: eliminated 帮扶消除 after 产业帮扶. Fail: eliminated 帮扶消除, no measure ever.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "eliminated_without_measure"
TITLE = ("风险消除方式为帮扶消除但无帮扶措施", "eliminated through assistance with no measure ever")
AREA = "assistance"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "eliminated AND elim_method = '帮扶消除' AND measures_ever = 0"


def message(row, config: Config):
    return (f"{row['elim_month'] or ''} 帮扶消除，但从未登记帮扶措施", f"eliminated through assistance {row['elim_month'] or ''} with no measure ever")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
