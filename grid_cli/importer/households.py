"""`grid import households`: official household/member spreadsheets into the ledger.

Two layouts are read: one sheet of member rows grouped by 户编号 (the national system's export), or a
households sheet plus a members sheet. Every bad cell becomes a Problem (sheet, row, column, reason).
By default nothing is written if there is any problem; with skip_invalid the good households are
written and the bad rows go to a rejects file. Households are matched by 户编号 and members by 证件号码
(else by name within the household), and only changed fields are written, so importing the same file
twice changes nothing and an updated file updates in place.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grid_cli import lifecycle
from grid_cli.clock import new_id
from grid_cli.errors import GridError, Refused, UsageError
from grid_cli.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS, Field, clean, header_key
from grid_cli.importer.tables import Sheet, read_tables, write_rejects
from grid_cli.ledger import Ledger
from grid_cli.parse import parse_bool

# Columns that say something about the household in a member-level or households sheet.
_HH_ONLY = {"户主姓名": "head_name", "家庭人口数": "size"}
_FLAG_COLUMNS = {"是否易地搬迁": "易地搬迁", "是否易地搬迁户": "易地搬迁", "是否低保户": "低保", "是否特困户": "特困"}
# Columns we recognise but do not keep yet (location is the ledger's; monitoring dates come with visits).
_KNOWN_UNUSED = {"序号", "省", "市", "县", "乡镇", "行政村", "村", "人均纯收入(元)", "合规自付支出", "危房等级", "实施开发式帮扶措施情况",
}
# The monitoring state as the national system exports it; imported as lifecycle events (lifecycle.py).
_MONITORING = {"识别监测时间": "identified", "风险是否已消除": "eliminated", "风险消除方式": "method",
               "消除监测时间": "month",
               **{f"致贫/返贫风险{i}": f"risk{i}" for i in range(1, 6)},
               **{f"返贫致贫风险{i}": f"risk{i}" for i in range(1, 6)}}


def _keys(fields: list[Field]) -> dict[str, str]:
    table = {}
    for f in fields:
        for name in (f.zh, *f.aliases):
            table[header_key(name)] = f.name
    return table


HH_KEYS = _keys([f for f in HOUSEHOLD_FIELDS if f.name != "phone"])
MEMBER_KEYS = _keys(MEMBER_FIELDS)
KNOWN = set(HH_KEYS) | set(MEMBER_KEYS) | set(_HH_ONLY) | set(_FLAG_COLUMNS) | {header_key(k) for k in _KNOWN_UNUSED} \
    | {header_key(k) for k in _MONITORING}


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
    ignored_columns: list[str] = field(default_factory=list)


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


@dataclass
class _Row:
    sheet: Sheet
    number: int
    cells: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    def problem(self, column: str, error: GridError) -> None:
        self.problems.append(Problem(self.sheet.name, self.number, column, error))


@dataclass
class _Household:
    hh_no: str
    values: dict[str, Any] = field(default_factory=dict)
    members: list[tuple[_Row, dict[str, Any]]] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    monitoring: dict[str, Any] = field(default_factory=dict)
    head: tuple[_Row, dict[str, Any]] | None = None  # from a households sheet: 户主姓名 (+ 证件号码)

    def bad(self) -> bool:
        return any(r.problems for r in self.rows)


def import_households(ledger: Ledger, path: Path, *, skip_invalid: bool = False,
                      rejects: Path | None = None, grid: str | None = None) -> Report:
    from grid_cli.households import grid_for_new

    grid = grid_for_new(ledger, grid)  # at a township or county, new households must name their grid
    sheets = read_tables(path, KNOWN)
    report = Report()
    if not sheets:
        raise UsageError(f"{Path(path).name} 中找不到含“户编号”等官方列名的表头",
                         f"{Path(path).name} has no header row with the official column names (户编号, 姓名, ...)",
                         hint_zh="参见 README 中的导入列名", hint_en="see the import columns in the README")
    households: dict[str, _Household] = {}
    for sheet in sheets:
        report.ignored_columns += [h for h, k in zip(sheet.headers, sheet.keys) if h and k not in KNOWN]
        is_members = "姓名" in sheet.keys
        for number, cells in sheet.rows:
            _read_row(_Row(sheet, number, cells), is_members, households)
    for hh in households.values():
        if hh.head and not hh.members:  # no members sheet for this household: its head is its member
            hh.members.append(_head_member(*hh.head))
    _check_heads(ledger, households)
    for hh in households.values():
        for row in hh.rows:
            report.problems += row.problems
    good = [hh for hh in households.values() if not hh.bad()]
    bad = [hh for hh in households.values() if hh.bad()]
    if bad and not skip_invalid:
        raise ImportRefused(report)
    _write(ledger, good, report, grid)
    if bad:
        report.rejected_rows = sum(len(hh.rows) for hh in bad)
        target = rejects or Path(path).with_name(Path(path).stem + ".rejects.csv")
        _write_rejects(target, bad)
        report.rejects_file = str(target)
    return report


def _read_row(row: _Row, is_members: bool, households: dict[str, _Household]) -> None:
    hh_raw = {HH_KEYS[k]: v for k, v in row.cells.items() if k in HH_KEYS}
    hh_values, errors = clean("household", hh_raw)
    for name, error in errors.items():
        row.problem(_header_of(row.sheet, HH_KEYS, name), error)
    flags = set(hh_values.pop("flags", []))
    for key, flag in _FLAG_COLUMNS.items():
        value = row.cells.get(header_key(key))
        if value not in (None, ""):
            try:
                if parse_bool(value):
                    flags.add(flag)
            except UsageError as error:
                row.problem(key, error)
    hh_no = hh_values.get("hh_no")
    if not hh_no:
        if "hh_no" not in errors:
            row.problem("户编号", UsageError("户编号为空", "the household number (户编号) is empty"))
        hh_no = f"?row{row.sheet.name}{row.number}"
    hh = households.setdefault(hh_no, _Household(hh_no))
    hh.rows.append(row)
    if flags:
        hh.values["flags"] = sorted(set(hh.values.get("flags", [])) | flags)
    if not is_members and "户主姓名" in row.cells:  # households sheet: its phone is the household's
        phone = row.cells.get("联系电话")
        if phone not in (None, ""):
            values, errs = clean("household", {"phone": phone})
            hh_values.update(values)
            for error in errs.values():
                row.problem("联系电话", error)
    for name, value in hh_values.items():
        if name in hh.values and hh.values[name] != value and name != "flags":
            row.problem(_header_of(row.sheet, HH_KEYS, name), UsageError(
                f"与同户其他行不一致（{hh.values[name]} / {value}）",
                f"differs from another row of the same household ({hh.values[name]} / {value})"))
        hh.values.setdefault(name, value)
    _read_monitoring(row, hh)
    if not is_members:
        _read_head(row, hh)
        return
    member_raw = {MEMBER_KEYS[k]: v for k, v in row.cells.items() if k in MEMBER_KEYS}
    values, errors = clean("member", member_raw)
    for name, error in errors.items():
        row.problem(_header_of(row.sheet, MEMBER_KEYS, name), error)
    if values.get("relation") == "户主" and values.get("phone"):  # the head's phone is the household's
        hh.values.setdefault("phone", values["phone"])
    if not values.get("name") and "name" not in errors:
        row.problem("姓名", UsageError("姓名为空", "the name is empty"))
    hh.members.append((row, values))


def _read_head(row: _Row, hh: _Household) -> None:
    """A households sheet names the head (and often the head's ID): kept as typed, so a file without a
    members sheet still brings the heads in. Checked only if used: where a members sheet lists the
    household, those columns are not what is imported and a slip in them refuses nothing."""
    name = row.cells.get("户主姓名")
    if name not in (None, ""):
        hh.head = (row, {"name": name, "id_number": row.cells.get("证件号码")})


def _head_member(row: _Row, raw: dict) -> tuple[_Row, dict]:
    values, errors = clean("member", raw)
    for field_name, error in errors.items():
        row.problem(_header_of(row.sheet, MEMBER_KEYS, field_name), error)
    return row, {**values, "relation": "户主"}


def _read_monitoring(row: _Row, hh: _Household) -> None:
    """识别监测时间, risks, and elimination as the national system exports them, checked like any cell."""
    raw = {name: row.cells.get(header_key(header)) for header, name in _MONITORING.items()
           if row.cells.get(header_key(header)) not in (None, "")}
    if not raw:
        return
    try:
        values = lifecycle.read_import_state(raw)
    except UsageError as error:
        column = next((h for h, n in _MONITORING.items() if n == getattr(error, "field", None)), "识别监测时间")
        row.problem(column, error)
        return
    for name, value in values.items():
        if name in hh.monitoring and hh.monitoring[name] != value:
            row.problem(next(h for h, n in _MONITORING.items() if n == name or name == "risks" and n.startswith("risk")),
                        UsageError(f"与同户其他行不一致（{hh.monitoring[name]} / {value}）",
                                   f"differs from another row of the same household ({hh.monitoring[name]} / {value})"))
        hh.monitoring.setdefault(name, value)


def _header_of(sheet: Sheet, table: dict[str, str], name: str) -> str:
    for header, key in zip(sheet.headers, sheet.keys):
        if table.get(key) == name:
            return header
    return name


def _check_heads(ledger: Ledger, households: dict[str, _Household]) -> None:
    """Within the file: one head per household, no ID number twice. A new household needs a head."""
    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for hh in households.values():
        for row, values in hh.members:
            if values.get("id_number"):
                rows_by_id[values["id_number"]].append(row.number)
    for hh in households.values():
        heads = [row for row, values in hh.members if values.get("relation") == "户主"]
        for row in heads[1:]:
            row.problem("与户主关系", UsageError("同一户有多个户主", "more than one head in this household"))
        exists = ledger.query("SELECT 1 FROM households WHERE hh_no = ?", (hh.hh_no,))
        if hh.members and not heads and not exists and not hh.bad():
            hh.members[0][0].problem("与户主关系", UsageError(
                "该户没有户主", "this household has no head (户主)",
                hint_zh="把其中一人的与户主关系填为“户主”", hint_en="write 户主 as one member's relation"))
        for row, values in hh.members:
            number = values.get("id_number")
            if number and len(rows_by_id[number]) > 1:  # every occurrence: which is right is for people to say
                others = "、".join(str(n) for n in rows_by_id[number] if n != row.number)
                row.problem("证件号码", UsageError(f"证件号码在文件中重复（另见第 {others} 行）",
                                                   f"this ID number appears more than once in the file (see row {others})"))
            elif number:  # never move a registered person to another household by import
                clash = ledger.query(
                    "SELECT h.hh_no FROM members m JOIN households h ON h.id = m.household_id "
                    "WHERE upper(m.id_number) = ? AND m.status = '正常' AND h.hh_no IS NOT ?",
                    (number.upper(), hh.hh_no))
                if clash:
                    row.problem("证件号码", UsageError(
                        f"该证件号码已登记在户 {clash[0]['hh_no']}",
                        f"this ID number is already registered in household {clash[0]['hh_no']}",
                        hint_zh="如确已迁入本户，先在原户把此人标为迁出",
                        hint_en="if the person really moved, first mark them moved out of that household"))


def _write(ledger: Ledger, households: list[_Household], report: Report, grid: str) -> None:
    with ledger.write() as w:
        for hh in households:
            found = ledger.query("SELECT id FROM households WHERE hh_no = ?", (hh.hh_no,))
            if found:
                household_id = found[0]["id"]
                changed = bool(w.put("household", household_id, hh.values))
            else:
                household_id = new_id()
                w.put("household", household_id, {"hh_type": "一般农户", **hh.values, "grid": grid, "status": "正常"})
                changed = True
            for _row, values in hh.members:
                member_id = _match_member(ledger, household_id, values)
                if member_id is None:
                    w.put("member", new_id(), {**values, "household_id": household_id, "status": "正常"})
                    report.members_added += 1
                elif w.put("member", member_id, {**values, "household_id": household_id, **(
                        {} if ledger.get("member", member_id)["household_id"] == household_id
                        else {"status": "正常"})}):  # moved in from another household (moved out there)
                    report.members_updated += 1
                else:
                    report.members_unchanged += 1
                    continue
                changed = True
            if hh.monitoring:
                changed |= lifecycle.adopt_import_state(ledger, w, household_id, hh.monitoring, hh.values.get("category"))
            if not found:
                report.households_added += 1
            elif changed:
                report.households_updated += 1
            else:
                report.households_unchanged += 1


def _match_member(ledger: Ledger, household_id: str, values: dict[str, Any]) -> str | None:
    if values.get("id_number"):
        rows = ledger.query("SELECT id FROM members WHERE upper(id_number) = ?", (values["id_number"].upper(),))
    else:
        rows = ledger.query("SELECT id FROM members WHERE household_id = ? AND name = ?",
                            (household_id, values.get("name")))
    return rows[0]["id"] if rows else None


def _write_rejects(path: Path, bad: list[_Household]) -> None:
    """Rejected rows as they were, plus the reasons, so they can be fixed and imported again."""
    headers: list[str] = []
    for hh in bad:
        for row in hh.rows:
            for h in row.sheet.headers:
                if h and h not in headers:
                    headers.append(h)
    lines = []
    for hh in bad:
        for row in hh.rows:
            by_header = {h: row.cells.get(header_key(h)) for h in row.sheet.headers if h}
            reasons = "；".join(f"{p.column}: {p.error.zh}" for p in row.problems) or "同户其他行有错误"
            lines.append([row.sheet.name, row.number, *[by_header.get(h, "") for h in headers], reasons])
    write_rejects(path, ["工作表", "行号", *headers, "错误原因"], lines)
