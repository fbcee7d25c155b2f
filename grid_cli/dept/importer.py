"""`grid dept import KIND FILE --month YYYY-MM`: one department's list into the ledger.

The file is read as the household import reads its files (title rows above the header, folded header
spellings, GB18030 CSVs, damaged files refused in one line). Each row is parsed column by column; a bad
cell is a Problem (sheet, row, column, reason). All of it happens in one ledger transaction:

1. every row is staged, with the department's own columns as its file names them, in `dept_<kind>`
   (sqlite-utils `insert_all(..., alter=True)`: a column a later list brings is added);
2. each row is matched: the person by 证件号码 (18, 20 or 22 characters: the same person), else the household
   by 户编号; a matched row becomes a `dept` event on its household, with an id derived from what it says
   (the same row imported anywhere, at a grid or at its township, is the same event: no double);
3. a row matched to nobody in this ledger's area stays staged without a household: a clue (线索).

A school roll may be said to be complete for its area (`complete`: this ledger's whole area, or the villages
named): then each compulsory-age member of a household there whom no row names is itself a `dept` event on
the household ({"absent": true}), which the rules turn into "not on the school roll" and the sync carries down
like any row.

Nothing is kept if any row is wrong, unless `skip_invalid` (the bad rows then go to a rejects file).
The list is dated (its month) and kept in `dept_lists` with the sha256 of its parsed rows: the same list
again changes nothing; another list for the same department and month replaces it (its rows that the new
list no longer holds are withdrawn by a `dept` event, so the grids drop them too).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from grid_cli.clock import new_id, now_utc
from grid_cli.dept import EVENT
from grid_cli.dept.kinds import HH, ID, Kind, columns_by_header, kind_of
from grid_cli.errors import GridError, Refused, UsageError
from grid_cli.fields import header_key
from grid_cli.idcard import id_key, is_placeholder
from grid_cli.importer.households import Problem
from grid_cli.importer.tables import check_rejects_target, read_tables, write_rejects
from grid_cli.ledger import Ledger
from grid_cli.ledger.store import canonical
from grid_cli.parse import parse_month

_NS = uuid.UUID("6f1c2e0a-9d55-4c1e-b7a4-2b8f0d3c9e15")  # event ids derived from what a row says
BATCH = 2000


@dataclass
class ListReport:
    kind: str
    month: str
    list_id: str | None = None
    rows: int = 0
    matched: int = 0
    clues: int = 0
    added: int = 0  # new events
    withdrawn: int = 0
    unchanged: bool = False  # the same list was imported before
    imported_at: str | None = None  # of the earlier import, when unchanged
    replaced: str | None = None  # the list this one replaces (same department and month)
    problems: list[Problem] = field(default_factory=list)
    rejected_rows: int = 0
    rejects_file: str | None = None
    unused_columns: list[str] = field(default_factory=list)
    complete: list[str] | None = None  # a complete roll: the villages it covers ([]: the whole area)
    absent: int = 0  # compulsory-age members of that area whom no row names


class ListRefused(Refused):
    def __init__(self, report: ListReport):
        n = len(report.problems)
        super().__init__(f"名单中有 {n} 处错误，未导入任何数据", f"{n} problem(s) in the list; nothing was imported",
                         hint_zh="改正后重新导入，或加 --skip-invalid 只导入正确的行",
                         hint_en="fix them and import again, or use --skip-invalid to import the good rows")
        self.report = report


def event_id(kind: str, month: str, key: str, facts: dict) -> str:
    return str(uuid.uuid5(_NS, f"{kind}|{month}|{key}|{canonical(facts)}"))


def import_list(ledger: Ledger, kind_name: str, path: Path, month: Any, *, skip_invalid: bool = False,
                rejects: Path | None = None, complete: bool = False, villages: list[str] | None = None) -> ListReport:
    from grid_cli.clock import today

    kind = kind_of(kind_name)
    month = parse_month(month)
    area = _complete_area(ledger, kind, complete, villages)
    if month > today().isoformat()[:7]:
        raise UsageError(f"名单月份 {month} 晚于本月，请核对 --month", f"the list's month {month} is after this month; check --month")
    path = Path(path)
    rejects = Path(rejects) if rejects else path.with_name(path.stem + ".rejects.csv")
    if skip_invalid:
        check_rejects_target(rejects)
    report = ListReport(kind.id, month, complete=area)
    try:
        with ledger.write() as w:
            stage = _Stage(ledger, kind, month, report)
            stage.read(path)
            if area is not None:  # the same rows said to be complete are another list
                stage.sha.update(("complete " + json.dumps(area, ensure_ascii=False)).encode("utf-8"))
            bad = {(p.sheet, p.row) for p in report.problems}
            if bad and not skip_invalid:
                raise ListRefused(report)
            earlier = ledger.conn.execute("SELECT id, imported_at FROM dept_lists WHERE kind = ? AND month = ?"
                                          " AND sha256 = ?", (kind.id, month, stage.digest())).fetchone()
            if earlier:  # the same list again: the staging is rolled back, nothing changes
                report.unchanged, report.list_id, report.imported_at = True, earlier[0], earlier[1]
                raise _Unchanged()
            if bad:
                stage.drop_bad(bad, rejects)
            stage.match_and_record(w, path.name)
    except _Unchanged:
        pass
    return report


def _complete_area(ledger: Ledger, kind: Kind, complete: bool, villages: list[str] | None) -> list[str] | None:
    """The area a complete roll covers (sorted village names, [] for the whole area), or None."""
    villages = sorted({v.strip() for v in villages or () if v.strip()})
    if not complete:
        if villages:
            raise UsageError("--village 只与 --complete 一起使用", "--village goes with --complete only")
        return None
    if kind.id != "school":
        raise UsageError(f"只有教育的学籍名单可以标为完整名单（--complete），{kind.zh}名单不可以",
                         f"only a school roll can be said to be complete (--complete), not a {kind.en} list")
    known = {r[0] for r in ledger.conn.execute("SELECT DISTINCT village FROM households WHERE status = '正常'")}
    unknown = [v for v in villages if v not in known]
    if unknown:
        raise UsageError(f"本辖区没有村 {'、'.join(unknown)}（有：{'、'.join(sorted(v for v in known if v)) or '无'}）",
                         f"no village {', '.join(unknown)} here (there are: {', '.join(sorted(v for v in known if v)) or 'none'})")
    return villages


class _Unchanged(Exception):
    """Rolls the staging back when the list was imported before."""


class _Stage:
    """Reads the file into `dept_<kind>` inside the caller's transaction, row by row."""

    def __init__(self, ledger: Ledger, kind: Kind, month: str, report: ListReport):
        import sqlite_utils

        self.ledger, self.kind, self.month, self.report = ledger, kind, month, report
        self.table = f"dept_{kind.id}"
        self.db = sqlite_utils.Database(ledger.conn)  # nests in the open transaction (savepoints)
        self.list_id = new_id()
        self.sha = hashlib.sha256()
        self.seen_rows: list[tuple[str, int, dict]] = []  # (sheet, row number, raw cells) of bad rows, for rejects
        self.headers: list[str] = []

    def digest(self) -> str:
        return self.sha.hexdigest()

    def read(self, path: Path) -> None:
        by_header = columns_by_header(self.kind)
        found = False
        number = 0
        for sheet in read_tables(path, set(by_header)):
            found = True
            columns = {i: by_header.get(key) for i, key in enumerate(sheet.keys)}
            given = {c.key for c in columns.values() if c}
            missing = [c.zh for c in self.kind.columns if c.required and c.key not in given]
            if ID.key not in given and not (self.kind.by_household and HH.key in given):
                missing.insert(0, "证件号码或户编号" if self.kind.by_household else "证件号码")
            if missing:
                raise UsageError(f"{sheet.name}：{self.kind.zh}名单缺少列 {'、'.join(missing)}（应有：{_expected(self.kind)}）",
                                 f"{sheet.name}: the {self.kind.en} list has no column {', '.join(missing)} "
                                 f"(expected: {_expected(self.kind)})",
                                 hint_zh="参见 grid dept kinds", hint_en="see `grid dept kinds`")
            own = _own_names(sheet.headers)
            self.report.unused_columns += [h for i, h in enumerate(sheet.headers)
                                           if h and columns.get(i) is None and h not in self.report.unused_columns]
            self.headers = list(dict.fromkeys([*self.headers, *(h for h in own if h)]))
            self.db[self.table].insert_all(self._rows(sheet, columns, own, number), alter=True, batch_size=BATCH)
            number = self.report.rows
        if not found:
            raise UsageError(f"{path.name} 中找不到{self.kind.zh}名单的表头（应有：{_expected(self.kind)}）",
                             f"{path.name} has no header row of a {self.kind.en} list (expected: {_expected(self.kind)})",
                             hint_zh="参见 grid dept kinds", hint_en="see `grid dept kinds`")

    def _rows(self, sheet, columns, own: list[str], offset: int) -> Iterator[dict]:
        for number, cells in sheet.rows:
            self.report.rows += 1
            facts: dict[str, Any] = {}
            problems: list[tuple[str, GridError]] = []
            for i, column in columns.items():
                if column is None or i >= len(cells) or cells[i] is None or str(cells[i]).strip() == "":
                    continue
                try:
                    facts[column.key] = column.parse(cells[i])
                except UsageError as error:
                    problems.append((sheet.headers[i], error))
            if not problems:
                self.kind.complete(facts)
                problems = self.kind.check_row(facts)
            for column, error in problems:
                self.report.problems.append(Problem(sheet.name, number, column, error))
            self.sha.update((canonical(facts) + "\n").encode("utf-8"))
            raw = {name: _cell(cells[i]) for i, name in enumerate(own) if name and i < len(cells)}
            yield {"list_id": self.list_id, "row": self.report.rows, "id_number": facts.get("id_number"),
                   "hh_no": facts.get("hh_no"), "name": facts.get("name"), "_sheet": sheet.name, "_line": number,
                   "_facts": canonical(facts), **raw}

    def drop_bad(self, bad: set[tuple[str, int]], rejects: Path) -> None:
        conn = self.ledger.conn
        reasons: dict[tuple[str, int], list[str]] = {}
        for p in self.report.problems:
            reasons.setdefault((p.sheet, p.row), []).append(f"{p.column}: {p.error.zh}")
        cursor = conn.execute(f"SELECT * FROM {self.table} WHERE list_id = ? ORDER BY row", (self.list_id,))
        names = [d[0] for d in cursor.description]

        def lines() -> Iterator[list]:
            for values in cursor:
                row = dict(zip(names, values))
                where = (row["_sheet"], row["_line"])
                if where in bad:
                    yield [row["_sheet"], row["_line"], *[row.get(h, "") for h in self.headers], "；".join(reasons[where])]

        write_rejects(rejects, ["工作表", "行号", *self.headers, "错误原因"], lines())
        for sheet, line in bad:
            conn.execute(f"DELETE FROM {self.table} WHERE list_id = ? AND _sheet = ? AND _line = ?",
                         (self.list_id, sheet, line))
        self.report.rejected_rows, self.report.rejects_file = len(bad), str(rejects)

    def match_and_record(self, w, file: str) -> None:
        """Match each staged row, write the events, keep the list; replace an earlier list of the month."""
        conn, kind, month, report = self.ledger.conn, self.kind, self.month, self.report
        previous = conn.execute("SELECT id FROM dept_lists WHERE kind = ? AND month = ? AND superseded_by IS NULL",
                                (kind.id, month)).fetchall()
        written: set[str] = set()
        cursor = conn.execute(f"SELECT row, _facts FROM {self.table} WHERE list_id = ? ORDER BY row", (self.list_id,))
        while True:
            batch = cursor.fetchmany(BATCH)
            if not batch:
                break
            updates = []
            for row, text in batch:
                facts = json.loads(text)
                household, member = match(conn, facts)
                if household is None:
                    report.clues += 1
                    continue
                report.matched += 1
                key = _subject(facts)
                eid = event_id(kind.id, month, key, facts)
                updates.append((household, member, eid, row))
                if eid in written or conn.execute("SELECT 1 FROM event_index WHERE id = ?", (eid,)).fetchone():
                    written.add(eid)
                    continue
                written.add(eid)
                w.event(EVENT, household, {"kind": kind.id, "month": month, "key": key, "member": member,
                                           "facts": facts}, date=f"{month}-01", event_id=eid)
                report.added += 1
            conn.executemany(f"UPDATE {self.table} SET household_id = ?, member_id = ?, event_id = ?"
                             f" WHERE list_id = '{self.list_id}' AND row = ?", updates)
        if report.complete is not None:
            self._absent(w, written)
        # rows the replaced list held (and, were it complete, the children it did not name) that this one does
        # not: withdrawn everywhere
        absent = conn.execute("SELECT household_id, id FROM events WHERE kind = ? AND json_extract(data, '$.kind') = ?"
                              " AND json_extract(data, '$.month') = ? AND json_extract(data, '$.facts.absent') = 1",
                              (EVENT, kind.id, month)).fetchall() if previous else []
        for (old,) in previous:
            held = conn.execute(f"SELECT household_id, event_id FROM {self.table} WHERE list_id = ?"
                                " AND event_id IS NOT NULL", (old,)).fetchall()
            for household, eid in held + absent:
                if eid in written:
                    continue
                wid = str(uuid.uuid5(_NS, f"withdrawn|{eid}"))
                if not conn.execute("SELECT 1 FROM event_index WHERE id = ?", (wid,)).fetchone():
                    w.event(EVENT, household, {"kind": kind.id, "month": month, "withdraws": eid}, date=f"{month}-01",
                            event_id=wid)
                    report.withdrawn += 1
            conn.execute("UPDATE dept_lists SET superseded_by = ? WHERE id = ?", (self.list_id, old))
            report.replaced = old
        conn.execute("INSERT INTO dept_lists (id, kind, month, file, sha256, rows, matched, clues, imported_at, complete)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (self.list_id, kind.id, month, file, self.digest(), report.rows - report.rejected_rows,
                      report.matched, report.clues, now_utc().isoformat(timespec="seconds"),
                      None if report.complete is None else json.dumps(report.complete, ensure_ascii=False)))
        w.audit("dept-import", f"{kind.id} {month}: {report.rows} rows, {report.matched} matched, {report.clues} clues")
        report.list_id = self.list_id

    def _absent(self, w, written: set[str]) -> None:
        """A complete roll: a `dept` event for each member of compulsory age (the department rule's ages, on
        the day) of an active household in its area whom no row of the list names."""
        from grid_cli.checks.facts import age_sql
        from grid_cli.clock import today
        from grid_cli.rules.config import configs_in_force

        conn, report, on = self.ledger.conn, self.report, today()
        ages = configs_in_force(self.ledger, on)["department"]
        cursor = conn.execute(
            "SELECT m.household_id, m.id FROM members m JOIN households h ON h.id = m.household_id"
            " WHERE m.status = '正常' AND h.status = '正常' AND (:all OR h.village IN (SELECT value FROM json_each(:villages)))"
            f" AND m.birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND {age_sql('m.birth_date')} BETWEEN :min AND :max"
            f" AND m.id NOT IN (SELECT member_id FROM {self.table} WHERE list_id = :list AND member_id IS NOT NULL)"
            " ORDER BY h.hh_no, m.id",
            {"all": not report.complete, "villages": json.dumps(report.complete, ensure_ascii=False), "on": on.isoformat(),
             "min": ages.min_age, "max": ages.max_age, "list": self.list_id})
        while batch := cursor.fetchmany(BATCH):
            for household, member in batch:
                report.absent += 1
                key, facts = f"absent:{member}", {"absent": True}
                eid = event_id(self.kind.id, self.month, key, facts)
                written.add(eid)
                if not conn.execute("SELECT 1 FROM event_index WHERE id = ?", (eid,)).fetchone():
                    w.event(EVENT, household, {"kind": self.kind.id, "month": self.month, "key": key, "member": member,
                                               "facts": facts}, date=f"{self.month}-01", event_id=eid)
                    report.added += 1


def _subject(facts: dict) -> str:
    """Who a row is about: the person's ID (its first 18 characters), else the household number."""
    number = facts.get("id_number")
    if number and not is_placeholder(number):
        return id_key(number)[:18]
    return f"hh:{facts.get('hh_no')}"


def match(conn, facts: dict) -> tuple[str | None, str | None]:
    """(household id, member id) of an active member with this ID (18, 20 or 22 characters alike), else
    (household id, None) of an active household with this 户编号, else (None, None)."""
    number = facts.get("id_number")
    if number and not is_placeholder(number):
        key = id_key(number)[:18]
        row = conn.execute("SELECT m.household_id, m.id FROM members m JOIN households h ON h.id = m.household_id"
                           " WHERE upper(m.id_number) >= ? AND upper(m.id_number) <= ? AND m.status = '正常'"
                           " AND h.status = '正常' LIMIT 1", (key, key + "~")).fetchone()
        if row:
            return row[0], row[1]
    if facts.get("hh_no"):
        row = conn.execute("SELECT id FROM households WHERE hh_no = ? AND status = '正常'", (facts["hh_no"],)).fetchone()
        if row:
            return row[0], None
    return None, None


def _own_names(headers: list[str]) -> list[str]:
    """The department's columns as its file names them (folded spaces), each once; empty ones left out."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        name = header_key(h)
        if not name:
            out.append("")
            continue
        if name in seen or name in ("list_id", "row", "id_number", "hh_no", "name", "household_id", "member_id", "event_id"):
            seen[name] = seen.get(name, 0) + 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def _expected(kind: Kind) -> str:
    key = "证件号码（或户编号）" if kind.by_household else "证件号码"
    required = [c.zh for c in kind.columns if c.required]
    optional = [c.zh for c in kind.columns if not c.required]
    return "、".join([key, "姓名", *required]) + ("；可选 " + "、".join(optional) if optional else "")
