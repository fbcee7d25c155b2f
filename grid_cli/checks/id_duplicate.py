"""证件号码重复: one ID number (its first 18 characters: a disability certificate is the same person) on two
active members of this area.

Pass: every member's number differs. Fail: 张三 in 0001 and 张三 in 0002 share 11010519491231002X.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem
from grid_cli.idcard import mask_id

ID = "id_duplicate"
TITLE = ("证件号码重复", "ID number held twice")
AREA = "identity"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    where = ("id_real AND substr(n, 1, 18) IN (SELECT substr(n, 1, 18) FROM temp.ck_m WHERE id_real"
             " GROUP BY substr(n, 1, 18) HAVING count(*) > 1)")
    for m in facts.members(where):
        yield problem(ID, m, f"{m['name']} 的证件号码 {mask_id(m['id_number'])} 与本辖区他人重复",
                      f"{m['name']}: ID number {mask_id(m['id_number'])} is held by another member of this area")
