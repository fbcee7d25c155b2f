"""出生日期与证件号码不符: the recorded birth date is not the one the ID number holds (characters 7-14).

Pass: 出生日期 1949-12-31 with 11010519491231002X. Fail: 出生日期 1950-01-31 with that number.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "id_birth_mismatch"
TITLE = ("出生日期与证件号码不符", "birth date differs from the ID number")
AREA = "identity"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("id_real AND id_form_ok AND birth_date IS NOT NULL AND birth_date != id_birth"):
        yield problem(ID, m, f"{m['name']} 出生日期 {m['birth_date']} 与证件号码（{m['id_birth']}）不符",
                      f"{m['name']}: birth date {m['birth_date']} but the ID number says {m['id_birth']}")
