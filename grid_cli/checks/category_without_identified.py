"""监测对象类别与识别监测时间: a 监测对象类别 with no identification month (no 识别纳入 step), or a household
monitored with no category.

Pass: 边缘易致贫户 included in 2026-03. Fail: 边缘易致贫户 and never included.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "category_without_identified"
TITLE = ("有监测对象类别无识别监测时间（或反之）", "category without an identification month, or the reverse")
AREA = "monitoring"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "(coalesce(category, '') != '' AND identified IS NULL) OR (monitored AND coalesce(category, '') = '')"


def message(row, config: Config):
    if row["identified"] is None:
        return f"监测对象类别为{row['category']}，无识别监测时间", f"category {row['category']} but no identification month"
    return f"{row['identified'][:7]} 识别纳入监测，但无监测对象类别", f"included in {row['identified'][:7]} but no category"


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
