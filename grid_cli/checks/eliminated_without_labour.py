"""整户无劳动力已消除风险: a household eliminated while none of its members has labour (elimination is never for
a household without labour).

Pass: eliminated, a member 普通劳动力. Fail: eliminated, every member 无劳动力.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "eliminated_without_labour"
TITLE = ("整户无劳动力监测对象已消除风险", "eliminated with no labour in the household")
AREA = "monitoring"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "eliminated AND members > 0 AND no_labour = members"


def message(row, config: Config):
    return (f"{row['elim_month'] or ''} 已消除风险，但整户无劳动力", f"eliminated {row['elim_month'] or ''} with no labour in the household")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
