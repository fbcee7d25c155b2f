"""`grid import households`: the national system's exports (and the official spreadsheets) into the ledger.

Two layouts are read: one sheet of member rows grouped by 户编号 (the national member-level export, its
header on the third row), or a households sheet plus a members sheet. Every bad cell becomes a Problem
(sheet, row, column, reason); a value a rule reads must be understood (the nearest known values are
suggested), one no rule reads is kept as written with one warning per distinct value; every column the
import did not use is named.

The file is streamed once into a private staging database (rows parsed and checked one by one), then
read back household by household into one ledger transaction: memory stays flat for a county's roster.
By default nothing is written if there is any problem; with skip_invalid the good households are written
and the bad rows go to a rejects file, checked for writing before anything else. Households are matched
by 户编号 and members by 证件号码 (an indexed normalised key), else by name within the household; only
changed fields are written, so importing the same file twice changes nothing. A re-import respects what
changed here since the last import (reconcile.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, Iterator

from grid_cli import lifecycle
from grid_cli.clock import new_id
from grid_cli.errors import GridError, Refused, UsageError
from grid_cli.fields import BY_NAME, clean
from grid_cli.idcard import id_key, is_placeholder
from grid_cli.importer import reconcile
from grid_cli.importer.columns import KNOWN, MONITORING, Layout, layout
from grid_cli.importer.tables import check_rejects_target, read_tables, write_rejects
from grid_cli.ledger import Ledger
from grid_cli.parse import parse_bool


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    error: GridError

    def reason(self, lang: str) -> str:
        return self.error.message(lang)


@dataclass
class Report:
    households_added: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    members_added: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected_rows: int = 0
    rejects_file: str | None = None
    unused_columns: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)  # {column, value, rows}: kept as written
    changes: list[dict] = field(default_factory=list)  # {hh_no, entity, name, field, old, new}
    conflicts: list[dict] = field(default_factory=list)  # {hh_no, entity, name, field, kept, file, conflict}


class ImportRefused(Refused):
    def __init__(self, report: Report):
        n = len(report.problems)
        super().__init__(
            f"文件中有 {n} 处错误，未导入任何数据",
            f"{n} problem(s) in the file; nothing was imported",
            hint_zh="改正后重新导入，或加 --skip-invalid 只导入正确的行",
            hint_en="fix them and import again, or use --skip-invalid to import the good rows",
        )
        self.report = report


def import_households(ledger: Ledger, path: Path, *, skip_invalid: bool = False,
                      rejects: Path | None = None, grid: str | None = None) -> Report:
    from grid_cli.households import grid_for_new

    grid = grid_for_new(ledger, grid)  # at a township or county, new households must name their grid
    rejects = Path(rejects) if rejects else Path(path).with_name(Path(path).stem + ".rejects.csv")
    if skip_invalid:
        check_rejects_target(rejects)
    report = Report()
    with _Staging() as stage:
        stage.load(path, report)
        if not stage.sheets:
            raise UsageError(f"{Path(path).name} 中找不到含“户编号”等官方列名的表头",
                             f"{Path(path).name} has no header row with the official column names (户编号, 姓名, ...)",
                             hint_zh="参见 README 中的导入列名", hint_en="see the import columns in the README")
        duplicates = stage.duplicate_ids()
        bad: list[int] = []
        bad_sheets: set[int] = set()
        with ledger.write() as w:
            for hh_no, rows in stage.households():
                hh = _Household(hh_no, rows)
                hh.check(ledger, duplicates)
                report.problems += hh.problems
                if hh.problems:
                    bad += [r.seq for r in hh.rows]
                    bad_sheets |= {stage.sheets.index(r.sheet) for r in hh.rows}
                else:
                    _write(ledger, w, hh, report, grid)
            if bad and not skip_invalid:
                raise ImportRefused(report)
            if bad:  # inside the transaction: a rejects file that cannot be written undoes the import
                report.rejected_rows = len(bad)
                stage.write_rejects(rejects, bad, sorted(bad_sheets), report.problems)
                report.rejects_file = str(rejects)
    return report


# -- reading the file into staging -------------------------------------------------------------------
@dataclass
class _SheetInfo:
    name: str
    headers: list[str]
    layout: Layout


class _Staging:
    """A private, temporary SQLite database (deleted on close) holding each parsed row of the file."""

    def __enter__(self) -> "_Staging":
        self.conn = sqlite3.connect("", isolation_level=None)
        self.conn.execute("CREATE TABLE rows (seq INTEGER PRIMARY KEY, sheet INTEGER, row INTEGER, hh_no TEXT, idk TEXT,"
                          " data TEXT, raw TEXT)")
        self.sheets: list[_SheetInfo] = []
        return self

    def __exit__(self, *exc) -> None:
        self.conn.close()

    def load(self, path: Path, report: Report) -> None:
        warnings: Counter = Counter()
        self.conn.execute("BEGIN")
        for sheet in read_tables(path, KNOWN):
            info = _SheetInfo(sheet.name, sheet.headers, layout(sheet.headers, sheet.keys))
            index = len(self.sheets)
            self.sheets.append(info)
            report.unused_columns += [h for h in info.layout.unused if h not in report.unused_columns]
            batch = []
            for number, cells in sheet.rows:
                parsed = _parse_row(info, number, cells, warnings)
                member = parsed.get("member") or {}
                key = id_key(member["id_number"]) if member.get("id_number") and not is_placeholder(member["id_number"]) else None
                batch.append((index, number, parsed["hh_no"], key, json.dumps(parsed, ensure_ascii=False, default=str),
                              json.dumps([_cell(c) for c in cells], ensure_ascii=False, default=str)))
                if len(batch) >= 2000:
                    self._insert(batch)
            self._insert(batch)
        self.conn.execute("CREATE INDEX rows_household ON rows(hh_no, seq)")
        self.conn.execute("COMMIT")
        report.warnings = [{"column": column, "value": value, "rows": n} for (column, value), n in warnings.items()]

    def _insert(self, batch: list) -> None:
        self.conn.executemany("INSERT INTO rows (sheet, row, hh_no, idk, data, raw) VALUES (?, ?, ?, ?, ?, ?)", batch)
        batch.clear()

    def duplicate_ids(self) -> dict[str, list[int]]:
        """ID numbers on more than one member row of the file -> those rows (placeholders never count)."""
        return {key: [int(n) for n in rows.split(",")] for key, rows in self.conn.execute(
            "SELECT idk, group_concat(row) FROM rows WHERE idk IS NOT NULL GROUP BY idk HAVING count(*) > 1")}

    def households(self) -> Iterator[tuple[str, list["_Row"]]]:
        cursor = self.conn.execute("SELECT seq, sheet, row, hh_no, data FROM rows ORDER BY hh_no, seq")
        for hh_no, rows in groupby(cursor, key=lambda r: r[3]):
            yield hh_no, [_Row(seq, self.sheets[sheet], number, json.loads(data)) for seq, sheet, number, _, data in rows]

    def write_rejects(self, path: Path, seqs: list[int], sheets: list[int], problems: list[Problem]) -> None:
        """Rejected rows as they were, plus the reasons, so they can be fixed and imported again."""
        reasons: dict[tuple[str, int], list[str]] = {}
        for p in problems:
            reasons.setdefault((p.sheet, p.row), []).append(f"{p.column}: {p.error.zh}")
        headers = list(dict.fromkeys(h for s in sheets for h in self.sheets[s].headers if h))

        def lines() -> Iterator[list]:
            wanted = set(seqs)
            for seq, sheet, number, raw in self.conn.execute("SELECT seq, sheet, row, raw FROM rows ORDER BY seq"):
                if seq not in wanted:
                    continue
                info = self.sheets[sheet]
                cells = dict(zip(info.headers, json.loads(raw)))
                yield [info.name, number, *[cells.get(h, "") for h in headers],
                       "；".join(reasons.get((info.name, number), [])) or "同户其他行有错误"]

        write_rejects(path, ["工作表", "行号", *headers, "错误原因"], lines())


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _parse_row(sheet: _SheetInfo, number: int, cells: tuple, warnings: Counter) -> dict:
    """One row: its household's fields, its member's (on a members sheet), the monitoring state, and the
    problems of its cells, each by the column's header as written."""
    given: dict[str, dict[str, Any]] = {"household": {}, "member": {}, "monitoring": {}, "flag": {}, "head": {}}
    for index, (kind, name) in sheet.layout.targets.items():
        if index < len(cells) and cells[index] is not None and str(cells[index]).strip() != "":
            given[kind][name] = cells[index]
    problems: list[tuple[str, UsageError]] = []

    def header(kind: str, name: str) -> str:
        found = sheet.layout.header_of(sheet.headers, kind, name)
        return MONITORING.get(name, (found,))[0] if kind == "monitoring" and found == name else found

    noted: list[tuple[str, str]] = []
    household, errors = clean("household", given["household"], noted)
    problems += [(header("household", name), error) for name, error in errors.items()]
    flags = set()
    for flag, value in given["flag"].items():
        try:
            if parse_bool(value):
                flags.add(flag)
        except UsageError as error:
            problems.append((header("flag", flag), error))
    if flags:
        household["flags"] = sorted(flags | set(household.get("flags", [])))
    hh_no = household.get("hh_no")
    if not hh_no:
        if "hh_no" not in errors:
            problems.append(("户编号", UsageError("户编号为空", "the household number (户编号) is empty")))
        hh_no = f"?row{sheet.name}{number}"
    parsed: dict[str, Any] = {"hh_no": hh_no, "household": household}
    if given["monitoring"]:
        try:
            parsed["monitoring"] = lifecycle.read_import_state(given["monitoring"])
        except UsageError as error:
            problems.append((header("monitoring", getattr(error, "field", None) or "identified"), error))
    if sheet.layout.is_members:
        member, errors = clean("member", given["member"], noted)
        problems += [(header("member", name), error) for name, error in errors.items()]
        if member.get("dropout_reason") and not member.get("school_status"):
            member["school_status"] = "失学辍学"  # the national export leaves 在校生状况 empty and gives the reason
        if not member.get("name") and "name" not in errors:
            problems.append((header("member", "name"), UsageError("姓名为空", "the name is empty")))
        if member.get("relation") == "户主" and member.get("phone"):  # the head's phone is the household's
            household.setdefault("phone", member["phone"])
        parsed["member"] = member
    elif given["head"].get("name"):
        parsed["head"] = given["head"]
    for name, value in noted:
        entity = "member" if name in BY_NAME["member"] and sheet.layout.is_members else "household"
        warnings[(header(entity, name), value)] += 1
    parsed["problems"] = [[column, e.zh, e.en, e.hint_zh, e.hint_en] for column, e in problems]
    return parsed


# -- one household, checked and written ---------------------------------------------------------------
@dataclass
class _Row:
    seq: int
    sheet: _SheetInfo
    number: int
    data: dict


class _Household:
    def __init__(self, hh_no: str, rows: list[_Row]):
        self.hh_no, self.rows = hh_no, rows
        self.problems: list[Problem] = []
        self.values: dict[str, Any] = {}
        self.monitoring: dict[str, Any] = {}
        self.members: list[tuple[_Row, dict]] = []
        for row in rows:
            for column, zh, en, hint_zh, hint_en in row.data["problems"]:
                self.problem(row, column, UsageError(zh, en, hint_zh=hint_zh, hint_en=hint_en))
            self._merge(row, "household", row.data["household"], self.values)
            self._merge(row, "monitoring", row.data.get("monitoring") or {}, self.monitoring)
            if "member" in row.data:
                self.members.append((row, row.data["member"]))
        heads = [(row, row.data["head"]) for row in rows if "head" in row.data]
        if heads and not self.members:  # no members sheet for this household: its head is its member
            row, raw = heads[0]
            values, errors = clean("member", raw)
            for name, error in errors.items():
                self.problem(row, row.sheet.layout.header_of(row.sheet.headers, "head", name), error)
            self.members.append((row, {**values, "relation": "户主"}))

    def problem(self, row: _Row, column: str, error: GridError) -> None:
        self.problems.append(Problem(row.sheet.name, row.number, column, error))

    def _merge(self, row: _Row, kind: str, given: dict, into: dict) -> None:
        for name, value in given.items():
            if name == "flags":
                into["flags"] = sorted(set(into.get("flags", [])) | set(value))
            elif name in into and not reconcile.same(into[name], value):
                column = (row.sheet.layout.header_of(row.sheet.headers, "household", name) if kind == "household"
                          else _monitoring_header(row, name))
                self.problem(row, column, UsageError(f"与同户其他行不一致（{into[name]} / {value}）",
                                                     f"differs from another row of the same household ({into[name]} / {value})"))
            else:
                into.setdefault(name, value)

    def check(self, ledger: Ledger, duplicates: dict[str, list[int]]) -> None:
        """Within the file: one head per household, no ID number twice, a category for a monitored
        household. Against the ledger: a new household needs a head; nobody registered in another
        household is moved by an import."""
        conn = ledger.conn
        if self.monitoring.get("identified") and not self.values.get("category"):
            row = next(r for r in self.rows if (r.data.get("monitoring") or {}).get("identified"))
            self.problem(row, row.sheet.layout.header_of(row.sheet.headers, "household", "category"), UsageError(
                "有识别监测时间但没有监测对象类别", "an identification date (识别监测时间) but no monitoring category (监测对象类别)",
                hint_zh="填写监测对象类别：脱贫不稳定户、边缘易致贫户或突发严重困难户",
                hint_en="give the category: 脱贫不稳定户, 边缘易致贫户 or 突发严重困难户"))
        heads = [row for row, values in self.members if values.get("relation") == "户主"]
        for row in heads[1:]:
            self.problem(row, "与户主关系", UsageError("同一户有多个户主", "more than one head in this household"))
        exists = conn.execute("SELECT 1 FROM households WHERE hh_no = ?", (self.hh_no,)).fetchone()
        if self.members and not heads and not exists and not self.problems:
            self.problem(self.members[0][0], "与户主关系", UsageError(
                "该户没有户主", "this household has no head (户主)",
                hint_zh="把其中一人的与户主关系填为“户主”", hint_en="write 户主 as one member's relation"))
        for row, values in self.members:
            number = values.get("id_number")
            if not number or is_placeholder(number):
                continue
            key = id_key(number)
            if key in duplicates:  # every occurrence: which is right is for people to say
                others = "、".join(str(n) for n in duplicates[key] if n != row.number)
                self.problem(row, "证件号码", UsageError(f"证件号码在文件中重复（另见第 {others} 行）",
                                                       f"this ID number appears more than once in the file (see row {others})"))
                continue
            clash = conn.execute(
                "SELECT h.hh_no FROM members m JOIN households h ON h.id = m.household_id "
                "WHERE upper(m.id_number) = ? AND m.status = '正常' AND h.hh_no IS NOT ?", (key, self.hh_no)).fetchone()
            if clash:  # never move a registered person to another household by import
                self.problem(row, "证件号码", UsageError(
                    f"该证件号码已登记在户 {clash[0]}", f"this ID number is already registered in household {clash[0]}",
                    hint_zh="如确已迁入本户，先在原户把此人标为迁出",
                    hint_en="if the person really moved, first mark them moved out of that household"))


def _monitoring_header(row: _Row, name: str) -> str:
    key = "risk1" if name == "risks" else name
    header = row.sheet.layout.header_of(row.sheet.headers, "monitoring", key)
    return header if header != key else MONITORING.get(key, (key,))[0]


def _write(ledger: Ledger, w, hh: _Household, report: Report, grid: str) -> None:
    conn = ledger.conn
    found = conn.execute("SELECT id FROM households WHERE hh_no = ?", (hh.hh_no,)).fetchone()
    if found:
        household_id = found[0]
        current = ledger.get("household", household_id)
        values, extra = dict(hh.values), {}
        flags = sorted(set(values.pop("flags", [])) | set(current.get("flags") or []))
        if flags != sorted(current.get("flags") or []):  # flag columns add flags; a 否 never removes one set here
            extra["flags"] = flags
            report.changes.append({"hh_no": hh.hh_no, "entity": "household", "name": "", "field": "flags",
                                   "old": current.get("flags") or [], "new": flags})
        changed = _update(ledger, w, "household", household_id, current, values, hh.hh_no, "", report, extra)
    else:
        household_id = new_id()
        w.put("household", household_id, {"hh_type": "一般农户", **hh.values, "grid": grid, "status": "正常"})
        reconcile.remember(conn, "household", household_id, hh.values, None)
        changed = True
    for _row, values in hh.members:
        member_id = _match_member(conn, household_id if found else None, values)
        if member_id is None:
            member_id = new_id()
            w.put("member", member_id, {**values, "household_id": household_id, "status": "正常"})
            reconcile.remember(conn, "member", member_id, values, None)
            report.members_added += 1
            changed = True
            continue
        current = ledger.get("member", member_id)
        moved = {} if current["household_id"] == household_id else {"household_id": household_id, "status": "正常"}
        if _update(ledger, w, "member", member_id, current, values, hh.hh_no, values.get("name", ""), report, moved):
            report.members_updated += 1
            changed = True
        else:
            report.members_unchanged += 1
    if hh.monitoring:
        category = hh.values.get("category") or conn.execute(
            "SELECT category FROM households WHERE id = ?", (household_id,)).fetchone()[0]
        changed |= lifecycle.adopt_import_state(ledger, w, household_id, hh.monitoring, category)
    if not found:
        report.households_added += 1
    elif changed:
        report.households_updated += 1
    else:
        report.households_unchanged += 1


def _update(ledger: Ledger, w, entity: str, entity_id: str, current: dict, values: dict, hh_no: str, name: str,
            report: Report, extra: dict | None = None) -> bool:
    """Apply what the file changed and the ledger did not; keep and record what the ledger changed."""
    base = reconcile.baseline(ledger.conn, entity, entity_id)
    outcome = reconcile.reconcile(current, values, base)
    written = w.put(entity, entity_id, {**outcome.write, **(extra or {})}) if outcome.write or extra else {}
    for fld, old, new in outcome.changes:
        report.changes.append({"hh_no": hh_no, "entity": entity, "name": name, "field": fld, "old": old, "new": new})
    for fld, kept, lost in outcome.kept:
        conflict = reconcile.record_conflict(ledger.conn, entity, entity_id, fld, kept, lost)
        report.conflicts.append({"hh_no": hh_no, "entity": entity, "name": name, "field": fld, "kept": kept,
                                 "file": lost, "conflict": conflict})
    reconcile.remember(ledger.conn, entity, entity_id, values, base)
    return bool(written)


def _match_member(conn: sqlite3.Connection, household_id: str | None, values: dict[str, Any]) -> str | None:
    """By ID number (the indexed key), else by name within the household among members with no number."""
    number = values.get("id_number")
    if number and not is_placeholder(number):
        row = conn.execute("SELECT id FROM members WHERE upper(id_number) = ?", (id_key(number),)).fetchone()
        if row:
            return row[0]
    if household_id is None:
        return None
    row = conn.execute("SELECT id FROM members WHERE household_id = ? AND name = ? AND (id_number IS NULL OR"
                       " upper(id_number) = ?)", (household_id, values.get("name"), id_key(number or ""))).fetchone()
    return row[0] if row else None
