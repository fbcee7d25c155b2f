"""识别后过快消除风险: a household whose risk was eliminated 帮扶消除 less than `months` months after its
identification (自然消除 is left out).

Pass: identified 2025-11, eliminated 2026-08. Fail: identified 2026-03, eliminated 2026-05 (2 months).
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "quick_elimination"
TITLE = ("帮扶消除距识别不足6个月", "eliminated through assistance within 6 months of identification")
AREA = "monitoring"


class Config(CheckConfig):
    months: int = 6


def check(facts, config: Config) -> Iterator[Problem]:
    span = ("(CAST(substr(elim_month, 1, 4) AS INTEGER) * 12 + CAST(substr(elim_month, 6, 2) AS INTEGER))"
            " - (CAST(substr(identified, 1, 4) AS INTEGER) * 12 + CAST(substr(identified, 6, 2) AS INTEGER))")
    where = f"eliminated AND elim_method = '帮扶消除' AND identified IS NOT NULL AND elim_month IS NOT NULL AND {span} < :months"
    for h in facts.households(where, {"months": config.months}):
        yield problem(ID, h, f"{h['identified'][:7]} 识别，{h['elim_month']} 即帮扶消除（不足 {config.months} 个月）",
                      f"identified {h['identified'][:7]}, eliminated {h['elim_month']} (under {config.months} months)")
