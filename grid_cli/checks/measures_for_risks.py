"""帮扶措施与风险类型: a monitored household with a risk type and none of the measures that answer it
("缺什么补什么"): `needs` maps each risk type to the measure kinds that count.

Pass: 因学 with 义务教育保障. Fail: 因病 with only 产业帮扶 (健康帮扶 or 社会帮扶 expected).
"""

from __future__ import annotations

import json
import sys
from typing import Iterator

from grid_cli.checks._measures import has_measure
from grid_cli.checks.base import CheckConfig, Problem

ID = "measures_for_risks"
TITLE = ("风险类型无对应帮扶措施", "a risk type with no measure that answers it")
AREA = "assistance"
LEVEL = "household"


class Config(CheckConfig):
    needs: dict[str, list[str]] = {
        "因病": ["健康帮扶", "社会帮扶"], "因学": ["义务教育保障", "其他教育帮扶", "社会帮扶"], "因残": ["综合保障", "社会帮扶"],
        "因安全住房": ["住房安全保障", "搬迁"], "因安全饮水": ["饮水安全保障"]}


def where(config: Config) -> str:
    return "monitored AND (" + " OR ".join(
        f"(EXISTS (SELECT 1 FROM json_each(risks) WHERE value = '{risk}') AND NOT {has_measure(tuple(kinds))})"
        for risk, kinds in sorted(config.needs.items())) + ")" if config.needs else "0"


def message(row, config: Config):
    risks, held = set(json.loads(row["risks"])), {m.split(":", 1)[0] for m in json.loads(row["measure_kinds"])}
    return [(f"风险类型为{risk}，未登记{'、'.join(kinds)}中任何一项", f"risk {risk} with none of {', '.join(kinds)}", {"risk": risk})
            for risk, kinds in sorted(config.needs.items()) if risk in risks and not held & set(kinds)]


def check(facts, config: Config) -> Iterator[Problem]:
    yield from facts.run(sys.modules[__name__], config)
