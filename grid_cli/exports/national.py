"""`grid export --national`: households and members in the national system's member-level layout, so that
corrections made in the field can be entered upstream.

One sheet, "监测对象信息": a title row, a row naming the place and the time, the header on the third row
(as the national system's "（自定义）监测对象信息" export has it), then one row per active member grouped by
户编号, the household's columns repeated on each member's row. Values are written in their national form
(catalog.national: 失学或辍学, 乡（镇）外县内务工 ...; 享受/未享受 for 低保, 享受/不享受 for 特困; 是/否), ID
numbers in full as text. Importing the file into a fresh ledger gives the same households, members and
monitoring standing (category, risks, 识别监测时间, elimination): tests/test_import_national.py checks it.
Rows stream from SQL to openpyxl's write-only workbook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from grid_cli import catalog
from grid_cli.clock import now_utc, show_time
from grid_cli.i18n import yes_no_zh
from grid_cli.ledger import Ledger
from grid_cli.standing import standing, steps_by_household

SHEET = "监测对象信息"

# (header, where the value comes from): h.<household field>, m.<member field>, s.<standing>, place.<meta>
COLUMNS: list[tuple[str, str]] = [
    ("县", "place.county"), ("乡镇", "place.township"), ("行政村", "place.village"),
    ("户编号", "h.hh_no"), ("自然村", "h.village"), ("组", "h.group_no"), ("户类型", "h.hh_type"),
    ("监测对象类别", "h.category"), ("户联系电话", "h.phone"), ("家庭住址", "h.address"),
    ("是否易地搬迁户", "flag.易地搬迁"), ("是否低保户", "flag.低保"), ("是否特困户", "flag.特困"),
    ("识别监测时间", "s.identified"),
    *[(f"致贫/返贫风险{i}", f"s.risk{i}") for i in range(1, 6)],
    ("风险是否已消除", "s.eliminated"), ("风险消除方式", "s.method"), ("消除监测时间", "s.month"),
    ("姓名", "m.name"), ("证件类型", "m.id_type"), ("证件号码", "m.id_number"), ("与户主关系", "m.relation"),
    ("性别", "m.sex"), ("出生日期", "m.birth_date"), ("民族", "m.ethnicity"), ("文化程度", "m.education"),
    ("在校生状况", "m.school_status"), ("失学或辍学原因", "m.dropout_reason"), ("健康状况", "m.health"),
    ("残疾等级", "m.disability_grade"), ("是否办理慢病卡或签约家庭医生", "m.chronic_card"), ("劳动技能", "m.labour_skill"),
    ("务工状况", "m.work_status"), ("务工时间（月）", "m.work_months"),
    ("是否参加城乡居民基本医疗保险", "m.medical_insurance"), ("是否参加城镇职工基本医疗保险", "m.employee_medical_insurance"),
    ("是否参加大病保险", "m.serious_illness_insurance"), ("是否参加城乡居民基本养老保险", "m.pension_insurance"),
    ("是否参加城镇职工基本养老保险", "m.employee_pension_insurance"),
    ("享受低保政策情况", "m.dibao"), ("享受特困供养政策情况", "m.tekun"), ("家庭成员联系电话", "m.phone"),
]
_CATALOGUED = {"hh_type": "household_type", "category": "category", "id_type": "id_type", "relation": "relation",
               "sex": "sex", "ethnicity": "ethnicity", "education": "education", "school_status": "school_status",
               "dropout_reason": "dropout_reason", "health": "health", "disability_grade": "disability_grade",
               "labour_skill": "labour_skill", "work_status": "work_status"}
_BENEFIT = {"dibao": ("享受", "未享受"), "tekun": ("享受", "不享受")}  # as the national export writes them
_MEMBER_ORDER = "CASE m.relation WHEN '户主' THEN 0 ELSE 1 END, m.birth_date, m.name"


def _value(ledger_place: dict, household: dict, member: dict, state, source: str) -> Any:
    kind, _, name = source.partition(".")
    if kind == "place":
        return ledger_place.get(name) or ""
    if kind == "flag":
        return yes_no_zh(name in (household.get("flags") or ()))
    if kind == "s":
        return _standing(state, name)
    row = household if kind == "h" else member
    value = row.get(name)
    if value is None:
        return ""
    if name in _BENEFIT and kind == "m":
        return _BENEFIT[name][0 if value else 1]
    if name in _CATALOGUED:
        return catalog.national(_CATALOGUED[name], value)
    if name.endswith("insurance") or name == "chronic_card":
        return yes_no_zh(value)
    return value


def _standing(state, name: str) -> str:
    if state is None or state.identified is None:
        return ""
    if name == "identified":
        return state.identified.isoformat()
    if name.startswith("risk"):
        index = int(name[4:]) - 1
        return state.risks[index] if index < len(state.risks) else ""
    if name == "eliminated":
        return "是" if state.eliminated else "否"
    if name == "method":
        return state.elimination_method or "" if state.eliminated else ""
    if name == "month":
        return state.eliminated_month or "" if state.eliminated else ""
    return ""


def national_rows(ledger: Ledger) -> Iterator[list[Any]]:
    """One list of cells per active member of an active household, in COLUMNS order."""
    import json

    place = ledger.all_meta()
    states = {hid: standing(steps) for hid, steps in steps_by_household(ledger, ("include", "eliminate")).items()}
    cursor = ledger.conn.execute(
        "SELECT h.id AS h_id, h.hh_no, h.village, h.group_no, h.hh_type, h.category, h.phone AS h_phone, h.address,"
        " h.flags, m.* FROM households h JOIN members m ON m.household_id = h.id"
        " WHERE h.status = '正常' AND m.status = '正常' ORDER BY h.hh_no, " + _MEMBER_ORDER)
    names = [d[0] for d in cursor.description]
    for raw in cursor:
        row = dict(zip(names, raw))
        household = {"hh_no": row["hh_no"], "village": row["village"], "group_no": row["group_no"],
                     "hh_type": row["hh_type"], "category": row["category"], "phone": row["h_phone"],
                     "address": row["address"], "flags": json.loads(row["flags"]) if row["flags"] else []}
        yield [_value(place, household, row, states.get(row["h_id"]), source) for _, source in COLUMNS]


def write_national(ledger: Ledger, path: Path) -> tuple[int, int, int]:
    """Write the workbook (atomically); returns (households, members, households left out for having no
    active member)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from grid_cli.exports.files import atomic_write

    counts = {"households": set(), "members": 0}

    def write(tmp: Path) -> None:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(SHEET)
        bold = Font(name="宋体", bold=True)
        meta = ledger.all_meta()
        place = " ".join(str(meta.get(k)) for k in ("county", "township", "village", "grid_code") if meta.get(k))
        title = WriteOnlyCell(ws, "（自定义）监测对象信息")
        title.font = Font(name="宋体", bold=True, size=14)
        ws.append([title])
        ws.append([f"导出单位：{place}", f"导出时间：{show_time(now_utc())}", "由 grid export --national 写出"])
        header = []
        for name, _ in COLUMNS:
            cell = WriteOnlyCell(ws, name)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        hh_index = [source for _, source in COLUMNS].index("h.hh_no")
        for values in national_rows(ledger):
            cells = []
            for value in values:
                cell = WriteOnlyCell(ws, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text that a spreadsheet would run as a formula stays text
                cells.append(cell)
            ws.append(cells)
            counts["households"].add(values[hh_index])
            counts["members"] += 1
        wb.save(tmp)

    atomic_write(path, write)
    without = ledger.conn.execute(
        "SELECT count(*) FROM households h WHERE h.status = '正常' AND NOT EXISTS"
        " (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.status = '正常')").fetchone()[0]
    return len(counts["households"]), counts["members"], without
