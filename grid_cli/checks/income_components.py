"""收入分项与人均纯收入不符: the latest visit's per-capita income is not (工资性 + 生产经营性 + 财产性 + 转移性 −
生产经营性支出) ÷ 常住人口, by more than `tolerance` yuan (a visit written by another tool, or edited by hand).

Pass: 30,000 + 4,000 − 1,500 over 4 residents, 8,125 recorded. Fail: the same with 12,000 recorded.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem
from grid_cli.rules.base import yuan

ID = "income_components"
TITLE = ("收入分项与人均纯收入不符", "income items do not add up to the per-capita income")
AREA = "income"
LEVEL = "household"


class Config(CheckConfig):
    tolerance: int = 1


NET = "(coalesce(wages, 0) + coalesce(business, 0) + coalesce(property, 0) + coalesce(transfer, 0) - coalesce(costs, 0))"


def where(config: Config) -> str:
    return f"per_capita IS NOT NULL AND residents > 0 AND abs(per_capita - {NET} * 1.0 / residents) > :tolerance"


def params(config: Config) -> dict:
    return {"tolerance": config.tolerance}


def message(row, config: Config):
    computed = round((sum(row[k] or 0 for k in ("wages", "business", "property", "transfer")) - (row["costs"] or 0))
                     / row["residents"])
    return (f"{row['visit_date']} 走访记人均纯收入 {yuan(row['per_capita'])} 元，按分项应为 {yuan(computed)} 元",
            f"visit of {row['visit_date']}: per-capita {yuan(row['per_capita'])} recorded, the items give {yuan(computed)}",
            {"recorded": row["per_capita"], "computed": computed})


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
