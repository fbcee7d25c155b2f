"""无证件号码: a member with no ID number, or only the national system's placeholder (999999…).

Pass: a member with an 18-character number. Fail: a member whose 证件号码 is empty or 999999….
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import CheckConfig, Problem, problem

ID = "id_missing"
TITLE = ("无证件号码（含999999占位）", "no ID number (or a 999999 placeholder)")
AREA = "identity"


class Config(CheckConfig):
    pass


def check(facts, config: Config) -> Iterator[Problem]:
    for m in facts.members("NOT id_real"):
        what = ("占位号码", "a placeholder") if m["n"] else ("空", "none")
        yield problem(ID, m, f"{m['name']} 无证件号码（{what[0]}）", f"{m['name']} has no ID number ({what[1]})")
