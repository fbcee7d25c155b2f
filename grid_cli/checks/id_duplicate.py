"""证件号码重复: one ID number (its first 18 characters: a disability certificate is the same person) on two
active members of this area.

Pass: every member's number differs. Fail: 张三 in 0001 and 张三 in 0002 share 11010519491231002X.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem
from grid_cli.idcard import mask_id

ID = "id_duplicate"
TITLE = ("证件号码重复", "ID number held twice")
AREA = "identity"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return ("id_real AND substr(n, 1, 18) IN (SELECT substr(n, 1, 18) FROM ck.ck_m0 WHERE id_real"
            " GROUP BY substr(n, 1, 18) HAVING count(*) > 1)")


def message(row, config: Config):
    return (f"{row['name']} 的证件号码 {mask_id(row['id_number'])} 与本辖区他人重复",
            f"{row['name']}: ID number {mask_id(row['id_number'])} is held by another member of this area")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
