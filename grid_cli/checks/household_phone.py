"""户联系电话: a household's phone empty or not an 11-digit mobile number (1[3-9]…).

Pass: 13908761234. Fail: empty, or 0851-1234567.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem
from grid_cli.idcard import mask_phone

ID = "household_phone"
TITLE = ("户联系电话为空或不是手机号码", "household phone empty or not a mobile number")
AREA = "identity"
LEVEL = "household"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "NOT coalesce(phone, '') GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'"


def message(row, config: Config):
    return (f"户联系电话为{mask_phone(row['phone']) if row['phone'] else '空'}",
            f"household phone is {mask_phone(row['phone']) if row['phone'] else 'empty'}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
