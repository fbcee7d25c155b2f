"""户联系电话: a household's phone empty or not an 11-digit mobile number (1[3-9]…).

Pass: 13908761234. Fail: empty, or 0851-1234567.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem
from grid_cli.idcard import mask_phone

ID = "household_phone"
TITLE = ("户联系电话为空或不是手机号码", "household phone empty or not a mobile number")
AREA = "identity"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for h in facts.households("NOT coalesce(phone, '') GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'"):
        shown = mask_phone(h["phone"]) if h["phone"] else "空"
        yield problem(ID, h, f"户联系电话为{shown}", f"household phone is {shown if h['phone'] else 'empty'}")
