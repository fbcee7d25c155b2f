"""What the ledger exports read, in a handful of bulk queries, and the findings as of a chosen day.

A quarter's report judges the ledger as of several days (each month's end). Rather than reading the
ledger once per day, the Snapshot reads once, then `assessment(day)` drops the visits and lifecycle
steps dated after the day and runs the same rule engine, as `findings.assess(ledger, on=day)` would. (Member facts — schooling, insurance, health — have no history in the
ledger, so a past month shows the members as they are now.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from grid_cli.clock import today as clock_today
from grid_cli.errors import UsageError
from grid_cli.ledger import Ledger
from grid_cli.lifecycle import KINDS, steps_by_household
from grid_cli.parse import parse_month


_MEMBERS = """SELECT id, household_id, name, id_number, relation, sex, birth_date, ethnicity, education,
school_status, health, labour_skill, work_status, work_months, medical_insurance, serious_illness_insurance,
pension_insurance, dibao, tekun, phone FROM members WHERE status = '正常'
ORDER BY household_id, relation != '户主', birth_date, id"""


def month_range(month: Any) -> tuple[str, dt.date, dt.date]:
    """'2026-11' (or 202611, 2026年11月) -> ('2026-11', first day, last day)."""
    text = parse_month(month)
    year, mon = int(text[:4]), int(text[5:])
    first = dt.date(year, mon, 1)
    last = (dt.date(year + (mon == 12), mon % 12 + 1, 1) - dt.timedelta(days=1))
    return text, first, last


def as_of(first: dt.date, last: dt.date, what: tuple[str, str]) -> dt.date:
    """The day a period is judged on: its last day, or today while it is running. A future period is refused."""
    now = clock_today()
    if first > now:
        raise UsageError(f"{what[0]}尚未开始（今天是 {now}）", f"{what[1]} has not started yet (today is {now})",
                         hint_zh="选择本月或以前的月份", hint_en="choose this month or an earlier one")
    return min(last, now)


@dataclasses.dataclass
class Place:
    level: str
    county: str
    township: str
    village: str
    grid: str

    @property
    def hub(self) -> bool:
        return self.level != "grid"

    def label(self) -> str:
        parts = [self.county, self.township]
        if not self.hub:
            parts += [self.village, f"网格 {self.grid}" if self.grid else ""]
        return " ".join(p for p in parts if p)

    def name(self) -> str:
        """The place a title names: the village for a grid ledger, else the township (or county)."""
        if not self.hub:
            return self.village or self.grid
        return self.township if self.level == "township" else (self.county or self.township)


def place_of(ledger: Ledger) -> Place:
    meta = ledger.all_meta()
    return Place(meta.get("level") or "grid", meta.get("county") or "", meta.get("township") or "",
                 meta.get("village") or "", meta.get("grid_code") or "")


class Snapshot:
    """Households, members, lifecycle steps and rule contexts of the ledger (optionally one 自然村 / grid)."""

    def __init__(self, ledger: Ledger, *, village: str | None = None, grid: str | None = None):
        from grid_cli.findings import load_contexts

        self.ledger = ledger
        self.place = place_of(ledger)
        where, params = ["status = '正常'"], []
        if village:
            where.append("village = ?")
            params.append(village)
        if grid:
            where.append("grid = ?")
            params.append(grid)
        self.households = ledger.query(
            "SELECT id, hh_no, grid, village, group_no, phone, hh_type, category FROM households WHERE "
            + " AND ".join(where) + " ORDER BY grid, village, hh_no", params)
        if (village or grid) and not self.households:
            known = ledger.query("SELECT DISTINCT " + ("village" if village else "grid") +
                                 " AS v FROM households WHERE status = '正常' ORDER BY 1")
            names = "、".join(str(r["v"]) for r in known if r["v"])
            raise UsageError(f"没有{'自然村' if village else '网格'}“{village or grid}”的在册农户（有：{names}）",
                             f"no active households in {'village' if village else 'grid'} '{village or grid}' (known: {names})")
        ids = {h["id"] for h in self.households}
        self.members: dict[str, list[dict]] = defaultdict(list)
        for m in ledger.conn.execute(_MEMBERS):
            if m["household_id"] in ids:
                self.members[m["household_id"]].append(dict(m))
        self.steps: dict[str, list[dict]] = defaultdict(list, {
            h: steps for h, steps in steps_by_household(ledger, KINDS).items() if h in ids})
        filtered = ids if (village or grid) else None
        self.loaded_on = clock_today()
        self.contexts = load_contexts(ledger, on=self.loaded_on, household_ids=filtered)
        self._assessments: dict[dt.date, Any] = {}

    def steps_until(self, household_id: str, on: dt.date) -> list[dict]:
        day = on.isoformat()
        return [e for e in self.steps.get(household_id, ()) if (e["date"] or "") <= day]

    def assessment(self, on: dt.date):
        """The findings as of `on`, from the visits and lifecycle steps dated on or before it."""
        if on in self._assessments:
            return self._assessments[on]
        from grid_cli.findings import Assessment, year_in_force
        from grid_cli.lifecycle import standing
        from grid_cli.rules.config import rule_configs
        from grid_cli.rules.engine import evaluate

        year, config = year_in_force(self.ledger, on)
        configs = rule_configs(config)
        if on == self.loaded_on:
            contexts = self.contexts  # loaded as of this very day (visits and steps are never dated ahead)
        else:
            contexts = [dataclasses.replace(ctx, visits=tuple(v for v in ctx.visits if v.date <= on),
                                            monitoring=standing(self.steps_until(ctx.household_id, on)),
                                            threshold=config["threshold"], today=on)
                        for ctx in self.contexts]
        result = Assessment(year, config["threshold"], on, list(evaluate(contexts, configs)), contexts)
        self._assessments[on] = result
        return result
