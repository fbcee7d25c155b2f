"""证件号码校验位: an ID number whose form or GB 11643 check character is wrong (18, 20 or 22 characters, 17
digits, a real birth date, the check character; a disability certificate's category 1-7 and grade 1-4).
Placeholders (999999…) are left to `id_missing`.

Pass: 11010519491231002X. Fail: 110105194912310021 (its check character should be X).
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem
from grid_cli.idcard import mask_id

ID = "id_check_digit"
TITLE = ("证件号码校验位或格式错误", "ID number fails its form or check digit")
AREA = "identity"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("id_real AND (NOT id_form_ok OR id_check IS NOT substr(n, 18, 1))"):
        yield problem(ID, m, f"{m['name']} 的证件号码 {mask_id(m['id_number'])} 校验位或格式不对",
                      f"{m['name']}: ID number {mask_id(m['id_number'])} fails its form or check digit")
