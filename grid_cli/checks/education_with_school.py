"""文化程度与在校生状况同时填写: a pupil or student (在校生状况 a school stage) whose 文化程度 is also filled; the
national forms keep one or the other.

Pass: 七年级 with 文化程度 empty; 非在校生 with 初中. Fail: 七年级 with 文化程度 小学.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "education_with_school"
TITLE = ("文化程度和在校生状况同时填写", "education and schooling both filled")
AREA = "schooling"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("in_school AND coalesce(education, '') != ''"):
        yield problem(ID, m, f"{m['name']} 在校生状况为{m['school_status']}，又填了文化程度{m['education']}",
                      f"{m['name']} is recorded as {m['school_status']} and with education {m['education']}")
