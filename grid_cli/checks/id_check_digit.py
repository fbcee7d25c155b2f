"""证件号码校验位: an ID number whose form or GB 11643 check character is wrong (18, 20 or 22 characters, 17
digits, a real birth date, the check character; a disability certificate's category 1-7 and grade 1-4).
Placeholders (999999…) are left to `id_missing`.

Pass: 11010519491231002X. Fail: 110105194912310021 (its check character should be X).
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem
from grid_cli.idcard import mask_id

ID = "id_check_digit"
TITLE = ("证件号码校验位或格式错误", "ID number fails its form or check digit")
AREA = "identity"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "id_real AND (NOT id_form_ok OR id_check IS NOT upper(substr(id_number, 18, 1)))"


def message(row, config: Config):
    return (f"{row['name']} 的证件号码 {mask_id(row['id_number'])} 校验位或格式不对",
            f"{row['name']}: ID number {mask_id(row['id_number'])} fails its form or check digit")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
