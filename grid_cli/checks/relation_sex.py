"""与户主关系与性别: a relation that names a sex (之子, 之女, 之父, 之母, 之儿媳 ...) against the member's sex.

Pass: 之女, 女. Fail: 之女, 男.
"""

from __future__ import annotations

import sys
from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem

ID = "relation_sex"
TITLE = ("与户主关系与性别矛盾", "relation contradicts sex")
AREA = "household"
LEVEL = "member"
MALE = ("之子", "之女婿", "之孙子", "之外孙子", "之曾孙子", "之父", "之岳父", "之公公", "之祖父", "之侄儿", "之叔伯")
FEMALE = ("之女", "之儿媳", "之孙女", "之外孙女", "之曾孙女", "之母", "之岳母", "之婆婆", "之祖母", "之侄女", "之兄弟媳妇")


class Config(CheckConfig):
    pass


def where(config: Config) -> str:
    return f"(relation IN ({_names(MALE)}) AND sex = '女') OR (relation IN ({_names(FEMALE)}) AND sex = '男')"


def message(row, config: Config):
    return (f"{row['name']} 与户主关系为{row['relation']}，性别却为{row['sex']}", f"{row['name']} is recorded as {row['relation']} but as {row['sex']}")


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)


def _names(values) -> str:
    return ", ".join(f"'{v}'" for v in values)
