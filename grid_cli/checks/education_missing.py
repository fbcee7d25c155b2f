"""文化程度、在校生状况、失学原因同时为空: nothing says what schooling the member has.

Pass: 文化程度 初中. Fail: all three empty.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "education_missing"
TITLE = ("文化程度、在校生状况和失学原因同时为空", "education, schooling and drop-out reason all empty")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "coalesce(education, '') = '' AND coalesce(school_status, '') = '' AND coalesce(dropout_reason, '') = ''"


def message(row, config: Config):
    return (f"{row['name']} 文化程度、在校生状况和失学原因均为空", f"{row['name']}: education, schooling and drop-out reason all empty")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
