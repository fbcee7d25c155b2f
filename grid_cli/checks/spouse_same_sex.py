"""户主与配偶同性别: the head and the member recorded as 配偶 have the same sex.

Pass: 户主 男, 配偶 女. Fail: both 男.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "spouse_same_sex"
TITLE = ("户主与配偶同性别", "head and spouse of the same sex")
AREA = "household"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    where = ("relation = '配偶' AND sex IS NOT NULL AND sex = (SELECT h.sex FROM temp.ck_m h"
             " WHERE h.household_id = ck_m.household_id AND h.relation = '户主' LIMIT 1)")
    for m in facts.members(where):
        yield problem(ID, m, f"配偶 {m['name']} 与户主同为{m['sex']}性", f"spouse {m['name']} has the head's sex ({m['sex']})")
