"""出生日期与证件号码不符: the recorded birth date is not the one the ID number holds (characters 7-14).

Pass: 出生日期 1949-12-31 with 11010519491231002X. Fail: 出生日期 1950-01-31 with that number.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "id_birth_mismatch"
TITLE = ("出生日期与证件号码不符", "birth date differs from the ID number")
AREA = "identity"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "id_real AND id_form_ok AND birth_date IS NOT NULL AND birth_date != id_birth"


def message(row, config: Config):
    return (f"{row['name']} 出生日期 {row['birth_date']} 与证件号码（{row['id_birth']}）不符",
            f"{row['name']}: birth date {row['birth_date']} but the ID number says {row['id_birth']}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
