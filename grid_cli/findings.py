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
school_status, dropout_reason, medical_insurance, dibao, tekun, employee_medical_insurance FROM members
WHERE status = '正常'"""


def year_in_force(ledger: Ledger, on: dt.date) -> tuple[int, dict]:
    """The configured year that applies on a date: that year, else the latest earlier one."""
    years = [r["year"] for r in ledger.query("SELECT DISTINCT year FROM config WHERE key = 'threshold' ORDER BY year")]
    if not years:
        raise DataError("账本中没有监测标准", "the ledger has no monitoring threshold",
                        hint_zh="用 grid rules set threshold 7600 设置", hint_en="set one with `grid rules set threshold 7600`")
    year = max([y for y in years if y <= on.year] or [years[0]])
    return year, ledger.config(year)


_EMPTY: dict = {}


def _flag(value) -> bool | None:
    return None if value is None else bool(value)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# Rules look back at most this far in visits (a year-ago baseline, a 6-month stability window with
# margin); older visits stay in the ledger but are not read.
LOOKBACK_DAYS = 800


def _rows(ledger: Ledger, sql: str, params=()):
    cursor = ledger.conn.cursor()
    cursor.row_factory = None  # plain tuples: several times faster than sqlite3.Row at county scale
    return cursor.execute(sql, params)


def load_contexts(ledger: Ledger, *, on: dt.date | None = None, household_ids: Iterable[str] | None = None) -> list[Context]:
    on = on or clock_today()
    thresholds = {year: json.loads(value) for year, value in
                  _rows(ledger, "SELECT year, value FROM config WHERE key = 'threshold'")}
    year, _config = year_in_force(ledger, on)
    wanted = set(household_ids) if household_ids is not None else None
    # a few households (a visit, `household show`): read only theirs; otherwise one pass over each table
    only, ids = ("", ()) if wanted is None or len(wanted) > 500 else \
        (f" AND household_id IN ({','.join('?' * len(wanted))})", tuple(wanted))
    members: dict[str, list[tuple]] = defaultdict(list)
    for m in _rows(ledger, _MEMBER_SQL + only, ids):
        members[m[1]].append(m)
    visits: dict[str, list[Visit]] = defaultdict(list)
    residents: dict[str, list[str]] = {}
    since = (on - dt.timedelta(days=LOOKBACK_DAYS)).isoformat()
    from grid_cli.fastjson import loads

    from_iso = dt.date.fromisoformat
    for household_id, event_id, date, text in _rows(
            ledger, "SELECT household_id, id, date, data FROM events WHERE kind = 'visit' AND date BETWEEN ? AND ?"
                    f"{only} ORDER BY household_id, date, hlc", (since, on.isoformat(), *ids)):
        data = loads(text)
        income, spending = data.get("income") or _EMPTY, data.get("spending") or _EMPTY
        people = data.get("residents") or []
        visits[household_id].append(Visit(
            event_id, from_iso(date), len(people), income.get("wages", 0), income.get("business", 0),
            income.get("property", 0), income.get("transfer", 0), income.get("production_costs", 0),
            spending.get("medical", 0), spending.get("other_rigid", 0), data.get("house_grade"),
            data.get("water") or {}, tuple(data.get("events") or ())))
        residents[household_id] = people
    steps: dict[str, list[dict]] = defaultdict(list)
    kinds = ",".join(f"'{k}'" for k in KINDS)
    for household_id, event_id, kind, date, text, hlc in _rows(
            ledger, f"SELECT household_id, id, kind, date, data, hlc FROM events WHERE kind IN ({kinds}) "
                    f"AND (date IS NULL OR date <= ?){only}", (on.isoformat(), *ids)):
        steps[household_id].append({"id": event_id, "kind": kind, "date": date, "hlc": hlc, "data": json.loads(text)})
    contexts = []
    threshold = thresholds[year]
    for hid, hh_no, village, hh_type, flags in _rows(
            ledger, f"SELECT id, hh_no, village, hh_type, flags FROM households WHERE status = '正常'"
                    f"{only.replace('household_id', 'id')}", ids):
        if wanted is not None and hid not in wanted:
            continue
        people = members.get(hid, ())
        present = set(residents.get(hid) or [m[0] for m in people])
        contexts.append(Context(
            hid, hh_no, village, hh_type, tuple(json.loads(flags)) if flags else (),
            tuple(Member(m[0], m[2], m[3], _date(m[4]), m[5], _flag(m[6]), m[7], m[8], m[9], m[10], _flag(m[11]),
                         _flag(m[12]), _flag(m[13]), m[0] in present, _flag(m[14])) for m in people),
            tuple(visits.get(hid, ())), standing(steps.get(hid, ())), threshold, thresholds, on))
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


def refresh(ledger: Ledger) -> Assessment | None:
    """Recompute the findings (after a merge, the township sees every grid's current state). A hub
    that has no year's threshold yet (the county has not pushed its rules) has nothing to judge by."""
    if not ledger.query("SELECT 1 FROM config WHERE key = 'threshold' LIMIT 1"):
        return None
    return assess(ledger)
