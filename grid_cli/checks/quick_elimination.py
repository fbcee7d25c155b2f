"""识别后过快消除风险: a household whose risk was eliminated 帮扶消除 less than `months` months after its
identification (自然消除 is left out).

Pass: identified 2025-11, eliminated 2026-08. Fail: identified 2026-03, eliminated 2026-05 (2 months).
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "quick_elimination"
TITLE = ("帮扶消除距识别不足6个月", "eliminated through assistance within 6 months of identification")
AREA = "monitoring"
LEVEL = "household"


class Config(CheckConfig):
    months: int = 6

SPAN = ("(CAST(substr(elim_month, 1, 4) AS INTEGER) * 12 + CAST(substr(elim_month, 6, 2) AS INTEGER))"
        " - (CAST(substr(identified, 1, 4) AS INTEGER) * 12 + CAST(substr(identified, 6, 2) AS INTEGER))")


def where(config: Config) -> str:
    return f"eliminated AND elim_method = '帮扶消除' AND identified IS NOT NULL AND elim_month IS NOT NULL AND {SPAN} < :months"


def params(config: Config) -> dict:
    return {"months": config.months}


def message(row, config: Config):
    return (f"{row['identified'][:7]} 识别，{row['elim_month']} 即帮扶消除（不足 {config.months} 个月）",
            f"identified {row['identified'][:7]}, eliminated {row['elim_month']} (under {config.months} months)")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
