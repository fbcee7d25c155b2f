"""与户主关系与年龄: a child not at least `gap` years younger than the head, a parent not at least `gap` years
older, a grandchild not at least 2 × `gap` years younger, or a spouse under `spouse_min_age`.

Pass: 户主 50, 之子 24. Fail: 户主 40, 之子 35 (5 years apart).
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "relation_age"
TITLE = ("与户主关系与年龄矛盾", "relation contradicts ages")
AREA = "household"
CHILD = ("之子", "之女", "之儿媳", "之女婿")
PARENT = ("之父", "之母", "之岳父", "之岳母", "之公公", "之婆婆")
GRANDCHILD = ("之孙子", "之孙女", "之外孙子", "之外孙女")


class Config(CheckConfig):
    gap: int = 15
    spouse_min_age: int = 16


def check(facts, config: Config) -> Iterator[Problem]:
    def names(values):
        return ", ".join(f"'{v}'" for v in values)

    where = f"""age IS NOT NULL AND (
        (relation IN ({names(CHILD)}) AND head_age - age < :gap)
        OR (relation IN ({names(PARENT)}) AND age - head_age < :gap)
        OR (relation IN ({names(GRANDCHILD)}) AND head_age - age < 2 * :gap)
        OR (relation = '配偶' AND age < :spouse_min))"""
    head_age = "(SELECT h.age FROM temp.ck_m h WHERE h.household_id = ck_m.household_id AND h.relation = '户主' LIMIT 1)"
    for m in facts.members(where.replace("head_age", head_age), {"gap": config.gap, "spouse_min": config.spouse_min_age}):
        yield problem(ID, m, f"{m['name']}（{m['relation']}，{m['age']}岁）与户主年龄不合",
                      f"{m['name']} ({m['relation']}, {m['age']}) does not fit the head's age", age=m["age"])
