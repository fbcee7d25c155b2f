"""Running the catalogue: the fact tables once, then each enabled check, problems counted per check (and
kept only when asked, for a workbook). Exempted households are counted apart, never shown as problems."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from pydantic import BaseModel

from grid_cli.checks.base import Problem
from grid_cli.errors import DataError, GridError, UsageError
from grid_cli.ledger import Ledger


@dataclass
class CheckResult:
    id: str
    title: tuple[str, str]
    area: str
    national: list[str]
    count: int = 0
    exempted: int = 0
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self, *, problems: bool = False) -> dict[str, Any]:
        out = {"check": self.id, "title_zh": self.title[0], "title_en": self.title[1], "area": self.area,
               "national": self.national, "problems": self.count, "exempted": self.exempted}
        if problems:
            out["rows"] = [p.as_dict() for p in self.problems]
        return out


@dataclass
class CheckReport:
    on: dt.date
    households: int
    results: list[CheckResult]

    @property
    def total(self) -> int:
        return sum(r.count for r in self.results)


def settings(year_config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Shipped defaults (data/checks.json) overlaid with the year's `checks.<check>.<param>` keys."""
    from grid_cli.resources import load_json

    out = copy.deepcopy(load_json("checks.json"))
    for key, value in year_config.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "checks" and parts[1] in out:
            out[parts[1]][parts[2]] = value
    return out


def configs(year_config: dict[str, Any]) -> dict[str, BaseModel]:
    """Each check's validated Config for the year (validated as the rules' are)."""
    from grid_cli.checks.registry import CHECKS
    from grid_cli.rules.config import validated

    found = settings(year_config)
    return validated([(check_id, module.Config, found.get(check_id, {})) for check_id, module in CHECKS.items()],
                     ("检查项", "check"), ("用 grid check set 改正", "correct it with `grid check set`"))


def year_config(ledger: Ledger, on: dt.date) -> tuple[dict[str, Any], int | None]:
    """The year's configuration in force and its threshold (None at a hub the county has not yet set)."""
    from grid_cli.findings import year_in_force

    try:
        _year, config = year_in_force(ledger, on)
    except DataError:
        return {}, None
    return config, config.get("threshold")


def run(ledger: Ledger, *, on: dt.date | None = None, only: Iterable[str] | None = None,
        collect: bool = False) -> CheckReport:
    from grid_cli.checks.exemptions import current
    from grid_cli.checks.facts import Facts
    from grid_cli.checks.registry import CHECKS
    from grid_cli.clock import today

    on = on or today()
    wanted = list(only) if only else list(CHECKS)
    unknown = [c for c in wanted if c not in CHECKS]
    if unknown:
        raise UsageError(f"没有检查项 {'、'.join(unknown)}（见 grid check list）", f"no check {', '.join(unknown)} (see `grid check list`)")
    config, threshold = year_config(ledger, on)
    found = configs(config)
    exempt = current(ledger)
    facts = Facts(ledger, on=on, threshold=threshold)
    try:
        households = ledger.conn.execute("SELECT count(*) FROM ck.ck_h").fetchone()[0]
        results = {c: CheckResult(c, CHECKS[c].TITLE, CHECKS[c].AREA, list(found[c].national)) for c in wanted}
        enabled = [(CHECKS[c], found[c]) for c in wanted if found[c].enabled]
        if collect:
            for check_id, p in facts.run_all(enabled):  # one pass per level for all of them
                result = results[check_id]
                if (p.household_id, check_id) in exempt:
                    result.exempted += 1
                    continue
                result.count += 1
                result.problems.append(p)
        else:  # counts only: no problem is made
            for check_id, household_id, n in facts.counts(enabled):
                result = results[check_id]
                if (household_id, check_id) in exempt:
                    result.exempted += n
                else:
                    result.count += n
        results = list(results.values())
    except GridError:
        raise
    finally:
        facts.close()
    return CheckReport(on, households, results)
