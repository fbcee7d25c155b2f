"""与户主关系与性别: a relation that names a sex (之子, 之女, 之父, 之母, 之儿媳 ...) against the member's sex.

Pass: 之女, 女. Fail: 之女, 男.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "relation_sex"
TITLE = ("与户主关系与性别矛盾", "relation contradicts sex")
AREA = "household"
MALE = ("之子", "之女婿", "之孙子", "之外孙子", "之曾孙子", "之父", "之岳父", "之公公", "之祖父", "之侄儿", "之叔伯")
FEMALE = ("之女", "之儿媳", "之孙女", "之外孙女", "之曾孙女", "之母", "之岳母", "之婆婆", "之祖母", "之侄女", "之兄弟媳妇")


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    male, female = ", ".join(f"'{r}'" for r in MALE), ", ".join(f"'{r}'" for r in FEMALE)
    for m in facts.members(f"(relation IN ({male}) AND sex = '女') OR (relation IN ({female}) AND sex = '男')"):
        yield problem(ID, m, f"{m['name']} 与户主关系为{m['relation']}，性别却为{m['sex']}",
                      f"{m['name']} is recorded as {m['relation']} but as {m['sex']}")
