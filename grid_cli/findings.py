"""Reading what the rules need from a ledger, in a few bulk queries, and running the engine.

`assess()` is what `grid risk`, `grid visit`, the demo and sync (after a merge) call.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from grid_cli.clock import today as clock_today
from grid_cli.errors import DataError
from grid_cli.ledger import Ledger
from grid_cli.lifecycle import KINDS, standing
from grid_cli.rules.base import Context, Finding, Member, Visit
from grid_cli.rules.config import rule_configs
from grid_cli.rules.engine import evaluate, grade_of

_MEMBER_SQL = """SELECT id, household_id, name, relation, birth_date, health, chronic_card, labour_skill, work_status,
school_status, dropout_reason, medical_insurance, dibao, tekun FROM members WHERE status = '正常'"""


def year_in_force(ledger: Ledger, on: dt.date) -> tuple[int, dict]:
    """The configured year that applies on a date: that year, else the latest earlier one."""
    years = [r["year"] for r in ledger.query("SELECT DISTINCT year FROM config WHERE key = 'threshold' ORDER BY year")]
    if not years:
        raise DataError("账本中没有监测标准", "the ledger has no monitoring threshold",
                        hint_zh="用 grid rules set threshold 7600 设置", hint_en="set one with `grid rules set threshold 7600`")
    year = max([y for y in years if y <= on.year] or [years[0]])
    return year, ledger.config(year)


def _flag(value) -> bool | None:
    return None if value is None else bool(value)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def visit_of(event_id: str, date: str, data: dict) -> Visit:
    income, spending = data.get("income") or {}, data.get("spending") or {}
    return Visit(
        event_id, dt.date.fromisoformat(date), len(data.get("residents") or []),
        income.get("wages", 0), income.get("business", 0), income.get("property", 0), income.get("transfer", 0),
        income.get("production_costs", 0), spending.get("medical", 0), spending.get("other_rigid", 0),
        data.get("house_grade"), data.get("water") or {}, tuple(data.get("events") or ()),
    )


def load_contexts(ledger: Ledger, *, on: dt.date | None = None, household_ids: Iterable[str] | None = None) -> list[Context]:
    on = on or clock_today()
    thresholds = {r["year"]: json.loads(r["value"]) for r in
                  ledger.query("SELECT year, value FROM config WHERE key = 'threshold'")}
    year, _config = year_in_force(ledger, on)
    wanted = set(household_ids) if household_ids is not None else None
    households = [h for h in ledger.query(
        "SELECT id, hh_no, village, hh_type, flags FROM households WHERE status = '正常'")
        if wanted is None or h["id"] in wanted]
    members: dict[str, list[dict]] = defaultdict(list)
    for m in ledger.conn.execute(_MEMBER_SQL):
        members[m["household_id"]].append(m)
    visits: dict[str, list[Visit]] = defaultdict(list)
    residents: dict[str, list[str]] = {}
    steps: dict[str, list[dict]] = defaultdict(list)
    for e in ledger.conn.execute(
            "SELECT id, household_id, kind, date, data, hlc FROM events ORDER BY household_id, date, hlc"):
        if e["kind"] == "visit":
            data = json.loads(e["data"])
            visits[e["household_id"]].append(visit_of(e["id"], e["date"], data))
            residents[e["household_id"]] = data.get("residents") or []
        elif e["kind"] in KINDS:
            steps[e["household_id"]].append({"id": e["id"], "kind": e["kind"], "date": e["date"],
                                             "hlc": e["hlc"], "data": json.loads(e["data"])})
    contexts = []
    for h in households:
        present = set(residents.get(h["id"]) or [m["id"] for m in members[h["id"]]])
        people = tuple(
            Member(m["id"], m["name"], m["relation"], _date(m["birth_date"]), m["health"], _flag(m["chronic_card"]),
                   m["labour_skill"], m["work_status"], m["school_status"], m["dropout_reason"],
                   _flag(m["medical_insurance"]), _flag(m["dibao"]), _flag(m["tekun"]), m["id"] in present)
            for m in members[h["id"]])
        contexts.append(Context(
            h["id"], h["hh_no"], h["village"], h["hh_type"], tuple(json.loads(h["flags"]) if h["flags"] else ()),
            people, tuple(visits[h["id"]]), standing(steps[h["id"]]), thresholds[year], thresholds, on))
    return contexts


@dataclass
class Assessment:
    year: int
    threshold: int
    on: dt.date
    findings: list[Finding]
    contexts: list[Context]

    def by_household(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            grouped[f.household_id].append(f)
        return grouped

    def grades(self) -> dict[str, str]:
        grouped = self.by_household()
        return {c.household_id: grade_of(grouped.get(c.household_id, [])) for c in self.contexts}


def assess(ledger: Ledger, *, on: dt.date | None = None, household_ids: Iterable[str] | None = None) -> Assessment:
    on = on or clock_today()
    year, config = year_in_force(ledger, on)
    configs = rule_configs(config)
    contexts = load_contexts(ledger, on=on, household_ids=household_ids)
    return Assessment(year, config["threshold"], on, list(evaluate(contexts, configs)), contexts)


def refresh(ledger: Ledger) -> Assessment:
    """Recompute the findings (after a merge, the township sees every grid's current state)."""
    return assess(ledger)
