"""Who is flagged and who is due for a visit, as lists and as summaries by place, for `grid risk` and
`grid due` at any size of ledger.

The lists stream: each is one SQL query read row by row (the flagged from the findings store, which
`findings.current()` has brought up to date). `grid due` does not need the store: one query finds the
households whose last visit may be older than their interval (the shortest the visit_overdue rule can
give them) and the eliminated ones (回头看), then the rules judge only those, which tells the 八必访
(must-visit) groups and the follow-ups apart.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterator

from grid_cli.findings import BATCH, LOOKBACK_DAYS, Area, batches, configs_on, stored_finding
from grid_cli.ledger import Ledger
from grid_cli.rules.base import GRADE, Finding

GRADES = ("red", "yellow", "green")
_RANK = "CASE a.grade WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END"
HEAD = ("(SELECT m.name FROM members m WHERE m.household_id = h.id AND m.relation = '户主' AND m.status = '正常'"
        " ORDER BY m.rowid LIMIT 1)")
# The places a summary groups by: a county's households by the township their grid belongs to (scope),
# a township's by grid, any ledger's by village.
PLACE = {"township": "coalesce((SELECT s.parent FROM scope s WHERE s.code = h.grid AND s.level = 'grid'), ?)",
         "grid": "h.grid", "village": "h.village"}


@dataclass
class Flagged:
    household_id: str
    hh_no: str
    grid: str | None
    village: str | None
    head: str | None
    grade: str
    findings: list[Finding]


def _filters(area: Area, grade: str | None, rule: str | None) -> tuple[str, list]:
    sql, params = area.sql(), list(area.params)
    if grade:
        sql += " AND a.grade = ?"
        params.append(grade)
    if rule:
        sql += " AND EXISTS (SELECT 1 FROM findings x WHERE x.household_id = h.id AND x.rule = ?)"
        params.append(rule)
    return sql, params


def _flagged_rows(ledger: Ledger, area: Area, grade: str | None, rule: str | None, head: bool) -> Iterator[list]:
    """The stored findings of the flagged households, one list of rows per household, in list order:
    (household id, hh_no, rule, severity, zh, en, facts JSON, grid, village, grade[, head])."""
    where, params = _filters(area, grade, rule)
    if rule:
        where += " AND f.rule = ?"
        params.append(rule)
    cursor = ledger.conn.cursor()
    cursor.row_factory = None
    cursor.execute(
        f"SELECT h.id, h.hh_no, f.rule, f.severity, f.zh, f.en, f.facts, h.grid, h.village, a.grade{', ' + HEAD if head else ''}"
        " FROM findings f JOIN assessed a ON a.household_id = f.household_id JOIN households h ON h.id = f.household_id"
        f" WHERE h.status = '正常'{where} ORDER BY {_RANK}, h.village, h.hh_no, h.id, f.n", params)
    group: list = []
    for chunk in iter(lambda: cursor.fetchmany(BATCH), []):
        for row in chunk:
            if group and row[0] != group[0][0]:
                yield group
                group = []
            group.append(row)
    if group:
        yield group


def flagged(ledger: Ledger, area: Area, *, grade: str | None = None, rule: str | None = None) -> Iterator[Flagged]:
    """Households with findings (only `rule`'s, if given), red first, then by village and 户编号."""
    for group in _flagged_rows(ledger, area, grade, rule, head=True):
        first = group[0]
        yield Flagged(first[0], first[1] or "", first[7], first[8], first[10], first[9], [stored_finding(r) for r in group])


def flagged_json(ledger: Ledger, area: Area, *, grade: str | None = None, rule: str | None = None) -> Iterator[str | bytes]:
    """The same households as JSON ({hh_no, household_id, village, grade, findings: [Finding.as_dict]}),
    UTF-8 bytes (str without orjson), each finding's stored facts passed through as they are (no decoding and
    encoding again)."""
    try:
        from orjson import Fragment, dumps
    except ImportError:  # pragma: no cover - the standard library where orjson has no wheel
        from json import dumps as _dumps

        from grid_cli.fastjson import loads

        def dumps(value):
            return _dumps(value, ensure_ascii=False)

        def Fragment(text):  # noqa: N802 - stands in for orjson.Fragment
            return loads(text)
    for group in _flagged_rows(ledger, area, grade, rule, head=False):
        hid, hh_no, village, g = group[0][0], group[0][1] or "", group[0][8], group[0][9]
        text = dumps({"hh_no": hh_no, "household_id": hid, "village": village, "grade": g, "findings": [
            {"rule": r[2], "severity": r[3], "grade": GRADE[r[3]], "household_id": hid, "hh_no": hh_no,
             "message_zh": r[4], "message_en": r[5], "facts": Fragment(r[6])} for r in group]})
        yield text


def any_flagged(ledger: Ledger, area: Area, *, grade: str | None = None, rule: str | None = None) -> bool:
    where, params = _filters(area, grade, rule)
    return ledger.conn.execute("SELECT 1 FROM findings f JOIN assessed a ON a.household_id = f.household_id JOIN"
                               f" households h ON h.id = f.household_id WHERE h.status = '正常'{where} LIMIT 1",
                               params).fetchone() is not None


def summary(ledger: Ledger, area: Area, by: str, township: str = "", *, grade: str | None = None,
            rule: str | None = None) -> dict:
    """Counts by place: households per grade, and households per rule (each rule's findings and how many
    of them are in red households)."""
    where, params = _filters(area, grade, rule)
    key = PLACE[by]
    head = [township] if by == "township" else []
    places = [{"place": place, "households": n, **dict(zip(GRADES, counts))} for place, n, *counts in ledger.conn.execute(
        f"SELECT {key}, count(*), sum(a.grade = 'red'), sum(a.grade = 'yellow'), sum(a.grade = 'green')"
        " FROM households h JOIN assessed a ON a.household_id = h.id"
        f" WHERE h.status = '正常'{where} GROUP BY 1 ORDER BY 1", head + params)]
    rules: dict[str, dict] = {}
    for place, rule_id, n, red in ledger.conn.execute(
            f"SELECT {key}, f.rule, count(DISTINCT f.household_id), count(DISTINCT CASE WHEN a.grade = 'red'"
            " THEN f.household_id END) FROM findings f JOIN assessed a ON a.household_id = f.household_id"
            f" JOIN households h ON h.id = f.household_id WHERE h.status = '正常'{where} GROUP BY 1, 2",
            head + params):
        entry = rules.setdefault(rule_id, {"rule": rule_id, "households": 0, "red": 0, "by_place": {}})
        entry["households"] += n
        entry["red"] += red
        entry["by_place"][place or ""] = n
    return {"by": by, "places": places, "rules": list(rules.values())}


# -- due -------------------------------------------------------------------------------------------
@dataclass
class Due:
    finding: Finding
    grid: str | None
    village: str | None
    head: str | None

    def as_dict(self) -> dict:
        return {**self.finding.as_dict(), "head": self.head, "village": self.village, "grid": self.grid}


def overdue_sql(area: Area) -> str:
    """The households whose last visit in the rules' look-back (from ? to ?) is more than their interval
    before the day (or that have none), and those whose risk was eliminated (回头看): one query, the index
    finds each household's last visit. The interval here is the household type's, or the shortest one a
    monitored category or the 八必访 groups can have, so that every household the rules find overdue is
    among these; the rules then judge exactly."""
    return ("SELECT h.id FROM households h LEFT JOIN json_each(?) t ON t.key = coalesce(h.hh_type, '')"
            f" WHERE h.status = '正常'{area.sql()} AND (coalesce(julianday(?) - julianday((SELECT max(e.date)"
            " FROM event_index e WHERE e.household_id = h.id AND e.kind = 'visit' AND e.date BETWEEN ? AND ?)), 1e9)"
            " > min(coalesce(t.value, ?), ?) OR (? AND EXISTS (SELECT 1 FROM event_index x WHERE x.household_id = h.id"
            " AND x.kind = 'eliminate')))")


DUE_RULES = ("visit_overdue", "followup_due")


def due(ledger: Ledger, on: dt.date, area: Area) -> list[Due]:
    """Who is due for a visit on `on`: overdue 八必访 (high) first, then the longest unvisited, then the
    eliminated households due for their 回头看."""
    from grid_cli.rules.engine import evaluate_household, phases

    _year, _threshold, configs = configs_on(ledger, on, required=False)  # a hub without a threshold: due all the same
    config = configs["visit_overdue"]
    followups = configs["followup_due"].enabled
    if not config.enabled and not followups:
        return []
    since = (on - dt.timedelta(days=LOOKBACK_DAYS)).isoformat()
    shortest = min([config.days, *config.days_by_category.values()])
    ids = [r[0] for r in ledger.conn.execute(overdue_sql(area), (
        json.dumps(config.days_by_type), *area.params, on.isoformat(), since, on.isoformat(), config.days, shortest,
        followups))]
    split = phases(configs)
    out: list[Due] = []
    for start in range(0, len(ids), BATCH):
        part = json.dumps(ids[start:start + BATCH])
        for batch in batches(ledger, on, where="h.id IN (SELECT value FROM json_each(?))", params=(part,),
                             required=False):
            heads = dict(ledger.conn.execute(f"SELECT h.id, {HEAD} FROM households h"
                                             " WHERE h.id IN (SELECT value FROM json_each(?))", (part,)).fetchall())
            for h, ctx in zip(batch.households, batch.contexts):
                out += [Due(f, h["grid"], h["village"], heads.get(h["id"]))
                        for f in evaluate_household(ctx, configs, split) if f.rule in DUE_RULES]
    out.sort(key=lambda d: (d.finding.severity != "high", d.finding.rule != "visit_overdue",
                            -(d.finding.facts.get("days") or 10**6), d.finding.hh_no or ""))
    return out


def due_households(items: list[Due]) -> int:
    """How many households the list names: one may be due both for a visit and for its 回头看."""
    return len({d.finding.household_id for d in items})


def due_summary(items: list[Due], township_of: dict[str, str], by: str, township: str = "") -> list[dict]:
    """Households due and, of them, must-visit (八必访), by place (each household once)."""
    due_ids: dict[str, set] = {}
    must: dict[str, set] = {}
    for d in items:
        place = {"grid": d.grid, "village": d.village}.get(by) if by != "township" else \
            township_of.get(d.grid or "", township)
        due_ids.setdefault(place or "", set()).add(d.finding.household_id)
        if d.finding.severity == "high":
            must.setdefault(place or "", set()).add(d.finding.household_id)
    return [{"place": p, "due": len(ids), "must_visit": len(must.get(p, ()))} for p, ids in sorted(due_ids.items())]
