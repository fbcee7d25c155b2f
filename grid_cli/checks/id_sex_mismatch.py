"""性别与证件号码不符: the recorded sex is not the one the ID number's 17th digit gives (odd: 男, even: 女).

Pass: 性别 女 with 11010519491231002X. Fail: 性别 男 with that number.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "id_sex_mismatch"
TITLE = ("性别与证件号码不符", "sex differs from the ID number")
AREA = "identity"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("id_real AND id_form_ok AND sex IS NOT NULL AND sex != id_sex"):
        yield problem(ID, m, f"{m['name']} 性别为{m['sex']}，证件号码为{m['id_sex']}",
                      f"{m['name']}: sex {m['sex']} but the ID number says {m['id_sex']}")
