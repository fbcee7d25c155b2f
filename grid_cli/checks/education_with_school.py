"""文化程度与在校生状况同时填写: a pupil or student (在校生状况 a school stage) whose 文化程度 is also filled; the
national forms keep one or the other.

Pass: 七年级 with 文化程度 empty; 非在校生 with 初中. Fail: 七年级 with 文化程度 小学.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "education_with_school"
TITLE = ("文化程度和在校生状况同时填写", "education and schooling both filled")
AREA = "schooling"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "in_school AND coalesce(education, '') != ''"


def message(row, config: Config):
    return (f"{row['name']} 在校生状况为{row['school_status']}，又填了文化程度{row['education']}",
            f"{row['name']} is recorded as {row['school_status']} and with education {row['education']}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
