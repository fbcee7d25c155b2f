"""性别与证件号码不符: the recorded sex is not the one the ID number's 17th digit gives (odd: 男, even: 女).

Pass: 性别 女 with 11010519491231002X. Fail: 性别 男 with that number.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "id_sex_mismatch"
TITLE = ("性别与证件号码不符", "sex differs from the ID number")
AREA = "identity"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "id_real AND id_form_ok AND sex IS NOT NULL AND sex != id_sex"


def message(row, config: Config):
    return (f"{row['name']} 性别为{row['sex']}，证件号码为{row['id_sex']}", f"{row['name']}: sex {row['sex']} but the ID number says {row['id_sex']}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
