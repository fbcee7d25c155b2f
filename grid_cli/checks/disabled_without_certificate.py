"""残疾无残疾人证: a member recorded as 残疾 whose 证件类型 is not 残疾人证 and whose number is not a 20- or
22-character certificate number.

Pass: 残疾 with 11010519491231002X42. Fail: 残疾 with an 18-character ID and 证件类型 居民身份证.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "disabled_without_certificate"
TITLE = ("健康状况为残疾但无残疾人证", "disabled but no disability certificate")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return "health = '残疾' AND coalesce(id_type, '') != '残疾人证' AND coalesce(id_len, 0) NOT IN (20, 22)"


def message(row, config: Config):
    return (f"{row['name']} 健康状况为残疾，但无残疾人证号", f"{row['name']} is disabled but has no certificate number")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
