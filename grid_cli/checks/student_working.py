"""在校生务工: a member in school (学前 to 高中 and 中职) also recorded as working.

Pass: 八年级, 未务工. Fail: 七年级, 省外务工.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "student_working"
TITLE = ("在校生填写了务工", "a pupil recorded as working")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return ("stage IN ('preschool', 'primary', 'junior', 'senior', 'secondary_vocational') AND in_school"
            " AND coalesce(work_status, '未务工') != '未务工'")


def message(row, config: Config):
    return (f"{row['name']} 在校（{row['school_status']}），又填了{row['work_status']}", f"{row['name']} is in school ({row['school_status']}) and recorded as {row['work_status']}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
