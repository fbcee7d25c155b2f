"""缺劳动力而家中有劳动力: a monitored household whose risk types include 缺劳动力 while more than `share` of
its members are 普通劳动力 or 技能劳动力.

Pass: 缺劳动力, two elderly members without labour. Fail: 缺劳动力, three members of whom two 普通劳动力.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "lacks_labour_with_labour"
TITLE = ("风险类型为缺劳动力但家中劳动力占比超过四分之一", "缺劳动力 although the household has labour")
AREA = "labour"


class Config(CheckConfig):
    share: float = 0.25


def check(facts, config: Config) -> Iterator[Problem]:
    where = ("monitored AND EXISTS (SELECT 1 FROM json_each(risks) WHERE value = '缺劳动力') AND members > 0"
             " AND (SELECT count(*) FROM temp.ck_m m WHERE m.household_id = ck_h.household_id"
             "      AND m.labour_skill IN ('普通劳动力', '技能劳动力')) > :share * members")
    for h in facts.households(where, {"share": config.share}):
        yield problem(ID, h, f"风险类型为缺劳动力，但 {h['members']} 人中有劳动力", f"risk 缺劳动力, yet members of the {h['members']} have labour")
