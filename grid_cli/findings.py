"""Judging households by the year's rules, a batch at a time, and the findings store that serves
`grid risk`, the monthly ledger and the quarterly report.

- **Batches.** Households are read BATCH at a time, with one query per table for the batch (members,
  visits, lifecycle steps): memory is set by the batch, never by the ledger. `batches()` yields them in
  any order a caller asks for; `evaluate_batch()` runs the engine over one.
- **The store** (schema migration 8): `assessed` holds each active household's grade, `findings` its
  findings in order, both as of one day under one basis (`findings_basis`: the day and a hash of the
  config and this version of grid). Schema triggers forget a household's row whenever anything it is
  judged on changes (its row, a member, an event), whoever writes it: an edit, a visit, an import, a
  merge (in the merge's own transaction). `current()` re-assesses exactly the households without a row,
  in batches, committing each; a new day or new rules start over with a full pass. A ledger that cannot
  be written (read-only medium) is judged into temporary tables of the same names instead.

`assess()` judges a few households (a visit, `household show`) or a small ledger in memory.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import sqlite3
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from typing import Callable, Iterable, Iterator

from grid_cli.clock import today as clock_today
from grid_cli.errors import DataError
from grid_cli.fastjson import loads
from grid_cli.ledger import Ledger
from grid_cli.model import Member, Visit, Visits
from grid_cli.parse import stored_date as parse_day
from grid_cli.standing import KINDS, standing
from grid_cli.rules.base import Context, Finding, grade_of

BATCH = 2000
# Rules look back at most this far in visits (a year-ago baseline, a 6-month stability window with
# margin); older visits stay in the ledger but are not read.
LOOKBACK_DAYS = 800

# What a household and its members are read as, everywhere (rules, ledger, report, parquet): a column
# the national export adds is one edit here.
HOUSEHOLD_COLUMNS = ("id", "hh_no", "grid", "village", "group_no", "phone", "hh_type", "category", "flags")
MEMBER_COLUMNS = ("id", "household_id", "name", "id_number", "relation", "sex", "birth_date", "ethnicity", "education",
                  "school_status", "dropout_reason", "health", "chronic_card", "labour_skill", "work_status",
                  "work_months", "medical_insurance", "serious_illness_insurance", "pension_insurance", "dibao",
                  "tekun", "phone", "employee_medical_insurance")
ACTIVE = "status = '正常'"
Progress = Callable[[int, int], None]


def year_in_force(ledger: Ledger, on: dt.date, *, required: bool = True) -> tuple[int, dict]:
    """The configured year that applies on a date: that year, else the latest earlier one. A ledger with no
    threshold at all (a hub before the county's rules arrive) is refused, or with `required=False` gets
    its own year and that year's configuration (no threshold)."""
    years = [r["year"] for r in ledger.query("SELECT DISTINCT year FROM config WHERE key = 'threshold' ORDER BY year")]
    if not years:
        if not required:
            year = int(ledger.meta("year") or on.year)
            return year, ledger.config(year)
        raise DataError("账本中没有监测标准", "the ledger has no monitoring threshold",
                        hint_zh="合并县里下发的规则同步包，或用 grid rules set threshold 7600 设置",
                        hint_en="merge the county's rules bundle, or set one with `grid rules set threshold 7600`")
    year = max([y for y in years if y <= on.year] or [years[0]])
    return year, ledger.config(year)


# The rules that compare income with the year's threshold. A hub whose county has not sent the year's
# rules yet has none: it runs every other rule (`required=False` below), and `grid risk` says which waited.
NEEDS_THRESHOLD = ("income_below_threshold", "income_near_threshold", "focus_line", "elimination_candidate")


def _flag(value) -> bool | None:
    return None if value is None else bool(value)


@contextmanager
def collector_paused():
    """Python's cycle collector off while a batch is read and judged. A batch is a hundred thousand small
    objects, none of them in a cycle, and the collector's passes over them (and over every object already
    alive) were a quarter of an assessment's time. It runs again between batches."""
    if not gc.isenabled():
        yield
        return
    try:
        gc.disable()
        yield
    finally:
        gc.enable()


def _rows(ledger: Ledger, sql: str, params=()):
    cursor = ledger.conn.cursor()
    cursor.row_factory = None  # plain tuples: several times faster than sqlite3.Row at county scale
    return cursor.execute(sql, params)


# -- reading a batch ---------------------------------------------------------------------------------
_IN_BATCH = "household_id IN (SELECT value FROM json_each(?))"


def members_of(ledger: Ledger, ids: list[str]) -> dict[str, list[tuple]]:
    """The active members of these households as rows (MEMBER_COLUMNS), each household's in the order they
    were added (the order the rules have always seen them in)."""
    rows = _rows(ledger, f"SELECT {', '.join(MEMBER_COLUMNS)} FROM members WHERE {_IN_BATCH} AND {ACTIVE}"
                         " ORDER BY household_id, rowid", (json.dumps(ids),))
    return {household_id: list(group) for household_id, group in groupby(rows, _SECOND)}


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
# a member row's values in Member's order (MEMBER_COLUMNS is the order the exports read)
_MEMBER = itemgetter(*(MEMBER_COLUMNS.index(c) for c in (
    "id", "name", "relation", "birth_date", "health", "chronic_card", "labour_skill", "work_status", "school_status",
    "dropout_reason", "medical_insurance", "dibao", "tekun", "employee_medical_insurance")))


def _member(row: tuple, present: set) -> Member:
    (mid, name, relation, birth, health, chronic, skill, work, school, dropout, insured, dibao, tekun,
     employee) = _MEMBER(row)
    return Member(mid, name, relation, parse_day(birth), health, _flag(chronic), skill, work, school, dropout,
                  _flag(insured), _flag(dibao), _flag(tekun), mid in present, _flag(employee))


_EMPTY: dict = {}
_NO_VISITS = Visits([], [])


def _visit(event_id: str, date: dt.date, data: dict) -> Visit:
    income, spending = data.get("income") or _EMPTY, data.get("spending") or _EMPTY
    return Visit(event_id, date, len(data.get("residents") or ()), income.get("wages", 0),
                 income.get("business", 0), income.get("property", 0), income.get("transfer", 0),
                 income.get("production_costs", 0), spending.get("medical", 0), spending.get("other_rigid", 0),
                 data.get("house_grade"), data.get("water") or {}, tuple(data.get("events") or ()),
                 bool(data.get("followup")))


# An event's data stays in the body of the change that brought it (migration 4); reading the body and
# decoding it once here is faster than the `events` view's json_extract followed by a decode.
_EVENTS = ("SELECT e.household_id, e.id, e.kind, e.date, c.body, c.hlc FROM event_index e"
           " JOIN changes c ON c.seq = e.change_seq WHERE e.{batch} AND {kinds}")
# A stored visit is read as the row (household_id, event_id, date, body, hlc), kept undecoded until read.
_VISITS = ("SELECT e.household_id, e.id, e.date, c.body, c.hlc FROM event_index e"
           f" JOIN changes c ON c.seq = e.change_seq WHERE e.{_IN_BATCH}"
           " AND e.kind = 'visit' AND e.date BETWEEN ? AND ?"
           " ORDER BY e.household_id, e.date")  # the index's order, so SQL does not sort the bodies
_DAY_AND_HLC = itemgetter(2, 4)


def visits_of(ledger: Ledger, ids: list[str], since: dt.date, on: dt.date) -> tuple[dict, dict]:
    """({household: Visits oldest first}, {household: the latest visit's residents}) for visits dated from
    `since` to `on`. Only the latest visit is decoded here (the residents, and nearly every rule reads it);
    the others when a rule reads them."""
    visits: dict[str, Visits] = {}
    residents: dict[str, list] = {}
    day = dt.date.fromisoformat
    rows = _rows(ledger, _VISITS, (json.dumps(ids), since.isoformat(), on.isoformat()))
    for household_id, items in _by_household(rows):
        dates = list(map(day, [row[2] for row in items]))
        items[-1], data = _decoded(items[-1])
        residents[household_id] = data.get("residents") or []
        visits[household_id] = Visits(dates, items, _decode_visit, _lacks)
    return visits, residents


def _by_household(rows: Iterable[tuple]) -> Iterator[tuple[str, list[tuple]]]:
    """Visit rows in household and date order, as (household_id, its rows in (date, hlc) order): the visits
    of one day as they happened."""
    for household_id, group in groupby(rows, _FIRST):
        items = list(group)
        if len({row[2] for row in items}) < len(items):
            items.sort(key=_DAY_AND_HLC)
        yield household_id, items


def _decode_visit(row: tuple) -> Visit:
    return _decoded(row)[0]


def _decoded(row: tuple) -> tuple[Visit, dict]:
    """A stored visit row as a Visit, and its data."""
    _household_id, event_id, date, body, _hlc = row
    try:
        data = loads(body)["data"]
        return _visit(event_id, dt.date.fromisoformat(date), data), data
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # a body the ledger should never hold
        raise DataError(f"账本中的走访记录 {event_id} 无法读取（{type(error).__name__}）", f"the ledger's visit {event_id}"
                        f" cannot be read ({type(error).__name__})", hint_zh="用 grid verify 检查账本，再从备份或同步包恢复",
                        hint_en="check the ledger with `grid verify`, then restore it from a backup or a bundle") from error


_KEYS = {"water": '"water"', "house_grade": '"house_grade"', "followup": '"followup"'}  # Visit field: its key in data


def _lacks(row: tuple, name: str) -> bool:
    """Whether a visit's stored body certainly holds nothing for the Visit field `name`: the field is one
    stored under its own key (_KEYS), the key's quoted name is not in the text, and no escape could spell
    it otherwise. Any other field: not known, so False."""
    key, body = _KEYS.get(name), row[3]
    return key is not None and key not in body and "\\" not in body


def steps_of(ledger: Ledger, ids: list[str], on: dt.date) -> dict[str, list[dict]]:
    """Each household's lifecycle steps dated on or before `on` (or undated), in (date, hlc) order."""
    steps: dict[str, list[dict]] = defaultdict(list)
    kinds = ",".join(f"'{k}'" for k in KINDS)
    sql = _EVENTS.format(batch=_IN_BATCH, kinds=f"e.kind IN ({kinds}) AND (e.date IS NULL OR e.date <= ?)") + \
        " ORDER BY e.household_id, e.date, c.hlc"
    for household_id, event_id, kind, date, body, hlc in _rows(ledger, sql, (json.dumps(ids), on.isoformat())):
        steps[household_id].append({"id": event_id, "kind": kind, "date": date, "hlc": hlc, "data": loads(body)["data"]})
    return steps


def thresholds_of(ledger: Ledger) -> dict[int, int]:
    return {year: json.loads(value) for year, value in _rows(ledger, "SELECT year, value FROM config WHERE key = 'threshold'")}


@dataclass
class Batch:
    """Some households as of a day: their rows, members' rows, lifecycle steps and rule contexts (same order)."""

    on: dt.date
    households: list[dict]
    member_rows: dict[str, list[tuple]]
    steps: dict[str, list[dict]]
    contexts: list[Context]

    @cached_property
    def members(self) -> dict[str, list[dict]]:
        """Each household's members as dicts (MEMBER_COLUMNS), for the exports; the rules read `contexts`."""
        return {hid: [dict(zip(MEMBER_COLUMNS, row)) for row in rows] for hid, rows in self.member_rows.items()}

    def steps_until(self, household_id: str, day: dt.date) -> list[dict]:
        text = day.isoformat()
        return [e for e in self.steps.get(household_id, ()) if (e["date"] or "") <= text]


def read_batch(ledger: Ledger, households: list[dict], on: dt.date, threshold: int | None, thresholds: dict[int, int],
               since: dt.date | None = None) -> Batch:
    """`since`: read visits from this day (default: the look-back before `on`), for a caller that also
    judges earlier days from the same read."""
    with collector_paused():
        return _read_batch(ledger, households, on, threshold, thresholds, since)


def _read_batch(ledger: Ledger, households: list[dict], on: dt.date, threshold: int | None, thresholds: dict[int, int],
                since: dt.date | None) -> Batch:
    from grid_cli.dept.facts import load as load_department_facts

    ids = [h["id"] for h in households]
    members = members_of(ledger, ids)
    visits, residents = visits_of(ledger, ids, min(since or on, on - dt.timedelta(days=LOOKBACK_DAYS)), on)
    steps = steps_of(ledger, ids, on)
    dept = load_department_facts(ledger, on=on, household_ids=ids)
    contexts = []
    for h in households:
        hid = h["id"]
        people = members.get(hid, ())
        present = set(residents.get(hid) or [row[0] for row in people])
        contexts.append(Context(
            hid, h["hh_no"], h["village"], h["hh_type"], tuple(json.loads(h["flags"])) if h["flags"] else (),
            tuple([_member(row, present) for row in people]),
            visits.get(hid) or _NO_VISITS, standing(steps.get(hid, ())), threshold, thresholds, on,
            dept=dept.get(hid, ())))
    return Batch(on, households, members, steps, contexts)


def batches(ledger: Ledger, on: dt.date, *, where: str = "", params: tuple | list = (), order: str = "h.hh_no, h.id",
            size: int = BATCH, since: dt.date | None = None, required: bool = True) -> Iterator[Batch]:
    """The active households (optionally `where`, an SQL condition on `households`), BATCH at a time, in
    `order`, each batch read as of `on`."""
    year, config = year_in_force(ledger, on, required=required)
    thresholds = thresholds_of(ledger)
    for rows in household_rows(ledger, where=where, params=params, order=order, size=size):
        yield read_batch(ledger, rows, on, config.get("threshold"), thresholds, since)


def household_rows(ledger: Ledger, *, where: str = "", params: tuple | list = (), order: str = "h.hh_no, h.id",
                   size: int = BATCH) -> Iterator[list[dict]]:
    """The active households' rows (HOUSEHOLD_COLUMNS), `size` at a time: what `batches` reads, for a
    caller that has the batches read elsewhere (workers.py)."""
    cursor = ledger.conn.cursor()
    cursor.row_factory = None
    cursor.execute(f"SELECT {', '.join('h.' + c for c in HOUSEHOLD_COLUMNS)} FROM households h WHERE h.{ACTIVE}"
                   f"{' AND ' + where if where else ''} ORDER BY {order}", params)
    try:
        while rows := cursor.fetchmany(size):
            yield [dict(zip(HOUSEHOLD_COLUMNS, r)) for r in rows]
    finally:  # a reader that stops early leaves no statement open (it would block a DETACH, or a write)
        cursor.close()


def evaluate_batch(batch: Batch, configs: dict, contexts: list[Context] | None = None) -> dict[str, list[Finding]]:
    """Each household's findings (of `contexts`, some of the batch's, if given), in the engine's order."""
    from grid_cli.rules.engine import evaluate_household, phases

    split = phases(configs)
    with collector_paused():
        return {ctx.household_id: evaluate_household(ctx, configs, split)
                for ctx in (batch.contexts if contexts is None else contexts)}


def configs_on(ledger: Ledger, on: dt.date, *, required: bool = True) -> tuple[int, int | None, dict]:
    """(year, threshold, rule configs) in force on a day; with `required=False` and no threshold yet:
    (its own year, None, the configs with the NEEDS_THRESHOLD rules off)."""
    from grid_cli.rules.config import rule_configs

    year, config = year_in_force(ledger, on, required=required)
    configs = rule_configs(config)
    if config.get("threshold") is None:
        configs.update({rule: configs[rule].model_copy(update={"enabled": False}) for rule in NEEDS_THRESHOLD})
    return year, config.get("threshold"), configs


# -- judging a few households in memory ---------------------------------------------------------------
@dataclass
class Assessment:
    year: int
    threshold: int | None  # None: no threshold yet, the NEEDS_THRESHOLD rules did not run
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


def load_contexts(ledger: Ledger, *, on: dt.date | None = None, household_ids: Iterable[str] | None = None) -> list[Context]:
    on = on or clock_today()
    if household_ids is None:
        return [c for b in batches(ledger, on, required=False) for c in b.contexts]
    ids = list(dict.fromkeys(household_ids))
    contexts = []
    for start in range(0, len(ids), BATCH):
        part = json.dumps(ids[start:start + BATCH])
        contexts += [c for b in batches(ledger, on, where="h.id IN (SELECT value FROM json_each(?))", params=(part,),
                                        required=False) for c in b.contexts]
    return contexts


def assess(ledger: Ledger, *, on: dt.date | None = None, household_ids: Iterable[str] | None = None) -> Assessment:
    """The findings of some households (or, on a small ledger, all) as of a day, in memory. County-scale
    readers use the store (`current`) or `batches`."""
    from grid_cli.rules.engine import evaluate

    on = on or clock_today()
    year, threshold, configs = configs_on(ledger, on, required=False)
    contexts = load_contexts(ledger, on=on, household_ids=household_ids)
    return Assessment(year, threshold, on, list(evaluate(contexts, configs)), contexts)


# -- the store -----------------------------------------------------------------------------------------
_STORE = (
    "CREATE TABLE IF NOT EXISTS {s}assessed (household_id TEXT PRIMARY KEY, grade TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS {s}findings (household_id TEXT NOT NULL, n INTEGER NOT NULL, rule TEXT NOT NULL,"
    " severity TEXT NOT NULL, zh TEXT NOT NULL, en TEXT NOT NULL, facts TEXT NOT NULL,"
    " PRIMARY KEY (household_id, n)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS {s}findings_basis (on_day TEXT NOT NULL, basis TEXT NOT NULL)",
)
STORE_SCHEMA = ";\n".join(sql.format(s="") for sql in _STORE)  # migration 8 creates these (and the triggers)


@dataclass
class Stored:
    """The store, current as of `on`: what `grid risk`, the ledger and the report read."""

    ledger: Ledger
    year: int
    threshold: int | None  # None: no threshold yet (current(required=False)), the NEEDS_THRESHOLD rules off
    on: dt.date
    assessed: int = 0  # households judged to bring it up to date
    temporary: bool = False  # judged into temporary tables (the ledger could not be written)

    def of(self, ids: list[str]) -> dict[str, tuple[str, list[Finding]]]:
        """(grade, findings) of these households."""
        out: dict[str, tuple[str, list[Finding]]] = {}
        arg = (json.dumps(ids),)
        for hid, grade in _rows(self.ledger, f"SELECT household_id, grade FROM assessed WHERE {_IN_BATCH}", arg):
            out[hid] = (grade, [])
        for row in _rows(self.ledger, "SELECT f.household_id, h.hh_no, f.rule, f.severity, f.zh, f.en, f.facts FROM"
                                      f" findings f JOIN households h ON h.id = f.household_id WHERE f.{_IN_BATCH}"
                                      " ORDER BY f.household_id, f.n", arg):
            if row[0] in out:
                out[row[0]][1].append(stored_finding(row))
        return out


def stored_finding(row) -> Finding:
    """A Finding from (household_id, hh_no, rule, severity, zh, en, facts)."""
    return Finding(row[2], row[3], row[0], row[1] or "", row[4], row[5], loads(row[6]))


def basis_of(ledger: Ledger, on: dt.date) -> str:
    """What stored findings depend on besides the households' own data: the day, the thresholds and rule
    settings of every year, and this version of grid (its rules). (A report setting is not among them.)"""
    from grid_cli import __version__

    h = hashlib.sha256(f"{__version__}|{on.isoformat()}".encode())
    for year, key, value in _rows(ledger, "SELECT year, key, value FROM config WHERE key = 'threshold'"
                                          " OR key LIKE 'rules.%' OR key LIKE 'local.rules.%' ORDER BY year, key"):
        h.update(f"|{year}|{key}|{value}".encode())
    return h.hexdigest()


_STALE = (f"SELECT {', '.join(HOUSEHOLD_COLUMNS)} FROM households h WHERE {ACTIVE} AND id > ?"
          " AND NOT EXISTS (SELECT 1 FROM assessed a WHERE a.household_id = h.id) ORDER BY id LIMIT ?")


def _held_basis(ledger: Ledger) -> tuple | None:
    """(day, basis) the store's findings are as of, or None when it holds none."""
    row = ledger.conn.execute("SELECT on_day, basis FROM findings_basis").fetchone()
    return None if row is None else tuple(row)


def as_stored(ledger: Ledger, on: dt.date) -> Stored | None:
    """The store as it stands, without writing (a worker process reads the ledger read-only): a Stored when
    it holds findings as of this day under today's basis, else None. Households changed since it was brought
    up to date have no findings in it (`Stored.of` leaves them out)."""
    if _held_basis(ledger) != (on.isoformat(), basis_of(ledger, on)):
        return None
    year, config = year_in_force(ledger, on)
    return Stored(ledger, year, config.get("threshold"), on)


def stale_count(ledger: Ledger) -> int:
    return ledger.conn.execute(f"SELECT count(*) FROM households h WHERE {ACTIVE}"
                               " AND NOT EXISTS (SELECT 1 FROM assessed a WHERE a.household_id = h.id)").fetchone()[0]


def current(ledger: Ledger, *, progress: Progress | None = None, required: bool = True) -> Stored:
    """Bring the stored findings up to today: re-assess the households that have none (new, or changed
    since), in batches, each batch in its own transaction. Raises DataError when the ledger has no threshold,
    unless not `required` (`grid risk` at a hub before the county's rules: every other rule)."""
    on = clock_today()
    year, config = year_in_force(ledger, on, required=required)
    basis = basis_of(ledger, on)
    stored = Stored(ledger, year, config.get("threshold"), on)
    conn = ledger.conn
    held = _held_basis(ledger)
    if held == (on.isoformat(), basis) and not stale_count(ledger):
        return stored  # nothing to write (nor the rules to load): also serves a ledger on a read-only medium
    _year, threshold, configs = configs_on(ledger, on, required=required)
    from grid_cli import workers  # here: readers of stored findings never start a process (nor import the pool)

    wanted = workers.setting()
    try:
        _reset(ledger, on, basis, held, immediate=True)
    except sqlite3.OperationalError as error:  # read-only medium, or the file is locked by a long writer
        if "readonly" not in str(error) and "locked" not in str(error):
            raise
        for sql in _STORE:
            conn.execute(sql.format(s="temp."))
        stored.temporary = True
        _reset(ledger, on, basis, None, immediate=False)
    from grid_cli.rules.engine import phases

    thresholds = thresholds_of(ledger)
    split = phases(configs)
    todo, last = stale_count(ledger), ""
    helpers = 0 if stored.temporary else workers.count(-(-todo // BATCH), wanted)
    if helpers:
        try:
            if _judge_in_workers(ledger, stored, helpers, (on, threshold, thresholds, configs), todo, progress):
                return stored
        except workers.BrokenProcessPool:
            pass  # a worker was killed (out of memory, say): what it did not store is judged here
    while True:
        with ledger.transaction(immediate=not stored.temporary):
            rows = [dict(zip(HOUSEHOLD_COLUMNS, r)) for r in _rows(ledger, _STALE, (last, BATCH))]
            if rows:
                last = rows[-1]["id"]
                with collector_paused():
                    _judge(ledger, rows, on, threshold, thresholds, configs, split)
        if not rows:
            return stored
        stored.assessed += len(rows)
        if progress:  # households another program added meanwhile are judged too: the total grows with them
            progress(stored.assessed, max(todo, stored.assessed))


def _judge(ledger: Ledger, rows: list[dict], on: dt.date, threshold: int | None, thresholds: dict, configs: dict,
           split) -> None:
    """Judge a batch and store its findings. Its objects are gone when this returns, before the collector
    runs again (see collector_paused)."""
    _write(ledger.conn, _judged(ledger, rows, on, threshold, thresholds, configs, split))


def _judged(ledger: Ledger, rows: list[dict], on: dt.date, threshold: int | None, thresholds: dict, configs: dict,
            split) -> StoreRows:
    from grid_cli.rules.engine import evaluate_household

    batch = read_batch(ledger, rows, on, threshold, thresholds)
    return _store_rows([(ctx.household_id, evaluate_household(ctx, configs, split)) for ctx in batch.contexts])


def _judge_in_workers(ledger: Ledger, stored: Stored, helpers: int, judging: tuple, todo: int,
                      progress: Progress | None) -> bool:
    """current()'s pass with the batches judged by worker processes (workers.py) and stored here, BATCH
    households a transaction (a worker's batches are smaller: each commit is a disk flush). False when
    another connection wrote to the ledger meanwhile: a worker may have read a household before that write,
    so the rest is judged in this process, under the write lock."""
    from grid_cli import workers

    conn, last, size = ledger.conn, "", min(BATCH, workers.BATCH)
    version = conn.execute("PRAGMA data_version").fetchone()[0]  # changes only when another connection commits
    held: list[StoreRows] = []

    def stale() -> Iterator[list[dict]]:
        nonlocal last
        while rows := [dict(zip(HOUSEHOLD_COLUMNS, r)) for r in _rows(ledger, _STALE, (last, size))]:
            last = rows[-1]["id"]
            yield rows

    def store() -> bool:
        with ledger.transaction(immediate=True) as tx:
            if conn.execute("PRAGMA data_version").fetchone()[0] != version:
                tx.discard()
                return False
            for judged in held:
                _write(conn, judged)
        stored.assessed += sum(len(judged[1]) for judged in held)
        held.clear()
        if progress:
            progress(stored.assessed, max(todo, stored.assessed))
        return True

    with workers.Pool(helpers, _worker_setup, (str(ledger.path), *judging)) as pool:
        for judged in pool.ordered(_worker_judge, stale()):
            held.append(judged)
            if sum(len(j[1]) for j in held) >= BATCH and not store():
                return False
        return store() if held else True


_WORKER: dict = {}  # a worker process's ledger and rules (workers.py)


def _worker_setup(path: str, on: dt.date, threshold: int | None, thresholds: dict, configs: dict) -> None:
    from grid_cli.rules.engine import phases

    _WORKER.update(ledger=Ledger.read_only(path), judging=(on, threshold, thresholds, configs, phases(configs)))


def _worker_judge(rows: list[dict]) -> StoreRows:
    with collector_paused():
        return _judged(_WORKER["ledger"], rows, *_WORKER["judging"])


def _reset(ledger: Ledger, on: dt.date, basis: str, held, *, immediate: bool) -> None:
    """Start over when the day or the basis changed (or nothing was stored)."""
    with ledger.transaction(immediate=immediate):
        if held != (on.isoformat(), basis):
            conn = ledger.conn
            conn.execute("DELETE FROM findings_basis")
            conn.execute("DELETE FROM assessed")
            conn.execute("DELETE FROM findings")
            conn.execute("INSERT INTO findings_basis VALUES (?, ?)", (on.isoformat(), basis))


# a judged batch as the store's rows: (household ids as JSON, `assessed` rows, `findings` rows)
StoreRows = tuple[str, list[tuple], list[tuple]]


def _store_rows(judged: list[tuple[str, list[Finding]]]) -> StoreRows:
    return (json.dumps([hid for hid, _ in judged]), [(hid, grade_of(fs)) for hid, fs in judged], [
        (hid, n, f.rule, f.severity, f.zh, f.en, json.dumps(f.facts, ensure_ascii=False, sort_keys=True, default=str))
        for hid, fs in judged for n, f in enumerate(fs)])


def _write(conn, rows: StoreRows) -> None:
    ids, assessed, found = rows
    conn.execute(f"DELETE FROM findings WHERE {_IN_BATCH}", (ids,))
    conn.executemany("INSERT OR REPLACE INTO assessed VALUES (?, ?)", assessed)
    conn.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)", found)


def refresh(ledger: Ledger, *, progress: Progress | None = None) -> Stored | None:
    """Bring the store up to date; None for a hub that has no year's threshold yet (the county has not
    pushed its rules): there is nothing to judge by."""
    if not ledger.query("SELECT 1 FROM config WHERE key = 'threshold' LIMIT 1"):
        return None
    return current(ledger, progress=progress)


@dataclass
class Area:
    """Which households a reader wants: all, or a township's, a grid's, a village's (SQL on `households h`)."""

    township: str | None = None
    grid: str | None = None
    village: str | None = None
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.township:
            self.where.append("h.grid IN (SELECT code FROM scope WHERE level = 'grid' AND parent = ?)")
            self.params.append(self.township)
        if self.grid:
            self.where.append("h.grid = ?")
            self.params.append(self.grid)
        if self.village:
            self.where.append("h.village = ?")
            self.params.append(self.village)

    def sql(self, prefix: str = " AND ") -> str:
        return (prefix + " AND ".join(self.where)) if self.where else ""
