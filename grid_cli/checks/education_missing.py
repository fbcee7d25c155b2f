"""文化程度、在校生状况、失学原因同时为空: nothing says what schooling the member has.

Pass: 文化程度 初中. Fail: all three empty.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "education_missing"
TITLE = ("文化程度、在校生状况和失学原因同时为空", "education, schooling and drop-out reason all empty")
AREA = "schooling"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("coalesce(education, '') = '' AND coalesce(school_status, '') = ''"
                           " AND coalesce(dropout_reason, '') = ''"):
        yield problem(ID, m, f"{m['name']} 文化程度、在校生状况和失学原因均为空",
                      f"{m['name']}: education, schooling and drop-out reason all empty")
