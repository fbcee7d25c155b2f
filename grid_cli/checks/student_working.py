"""在校生务工: a member in school (学前 to 高中 and 中职) also recorded as working.

Pass: 八年级, 未务工. Fail: 七年级, 省外务工.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "student_working"
TITLE = ("在校生填写了务工", "a pupil recorded as working")
AREA = "labour"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    where = ("stage IN ('preschool', 'primary', 'junior', 'senior', 'secondary_vocational') AND in_school"
             " AND coalesce(work_status, '未务工') != '未务工'")
    for m in facts.members(where):
        yield problem(ID, m, f"{m['name']} 在校（{m['school_status']}），又填了{m['work_status']}",
                      f"{m['name']} is in school ({m['school_status']}) and recorded as {m['work_status']}")
