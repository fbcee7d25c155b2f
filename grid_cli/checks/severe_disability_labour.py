"""一、二级残疾有普通劳动能力: a member with a grade 一级 or 二级 disability (recorded, or in the certificate
number's last digit) recorded as 普通劳动力 or 技能劳动力.

Pass: 二级 残疾, 无劳动力. Fail: 一级 残疾, 普通劳动力.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "severe_disability_labour"
TITLE = ("一、二级残疾人有普通或技能劳动能力", "grade 1-2 disability recorded as full labour")
AREA = "labour"
LEVEL = "member"


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return ("labour_skill IN ('普通劳动力', '技能劳动力') AND (disability_grade IN ('一级', '二级')"
            " OR (id_len IN (20, 22) AND substr(n, 20, 1) IN ('1', '2')))")


def message(row, config: Config):
    return (f"{row['name']} 为一、二级残疾，劳动技能却为{row['labour_skill']}", f"{row['name']} has a grade 1-2 disability but is recorded as {row['labour_skill']}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
