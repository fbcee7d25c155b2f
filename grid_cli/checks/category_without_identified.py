"""监测对象类别与识别监测时间: a 监测对象类别 with no identification month (no 识别纳入 step), or a household
monitored with no category.

Pass: 边缘易致贫户 included in 2026-03. Fail: 边缘易致贫户 and never included.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "category_without_identified"
TITLE = ("有监测对象类别无识别监测时间（或反之）", "category without an identification month, or the reverse")
AREA = "monitoring"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for h in facts.households("(coalesce(category, '') != '' AND identified IS NULL)"
                              " OR (monitored AND coalesce(category, '') = '')"):
        if h["identified"] is None:
            yield problem(ID, h, f"监测对象类别为{h['category']}，无识别监测时间", f"category {h['category']} but no identification month")
        else:
            yield problem(ID, h, f"{h['identified'][:7]} 识别纳入监测，但无监测对象类别", f"included in {h['identified'][:7]} but no category")
