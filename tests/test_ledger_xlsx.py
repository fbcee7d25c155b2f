"""`grid ledger`: the written files, opened again with openpyxl (headers, masking, rows, print settings,
the chart), the other formats, and the refusals."""

from __future__ import annotations

import csv
import json
import re

from openpyxl import load_workbook

from conftest import Run, rows_of
from test_exports_support import ID_RE, PHONE_RE, header_row, sheet_values
from test_exports_tables import OFFICIAL


def test_ledger_xlsx_prints_as_delivered(demo_db, tmp_path):
    out = tmp_path / "台账.xlsx"
    result = Run(demo_db)("ledger", "--month", "2026-11", "--out", out, lang="zh")
    assert result.exit_code == 0, result.output
    assert "60 户" in result.output and str(out) in "".join(result.output.split())  # a long path wraps at 80 columns
    wb = load_workbook(out)
    assert wb.sheetnames == ["台账", "家庭成员", "汇总"]

    ws = wb["台账"]
    row, header = header_row(ws)
    assert [h for h in header if h in OFFICIAL] == OFFICIAL
    values = sheet_values(ws)
    body = [r for r in values[row:] if isinstance(r[0], int)]
    assert len(body) == 60
    assert "青石村村级监测对象网格管理电子台账（2026年11月）" == values[0][0]
    # printing: A4 landscape, one page wide, header row repeated, frozen panes, page header and numbers
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${row}:${row}"
    assert ws.freeze_panes == f"E{row + 1}"
    assert all(m in ws.oddHeader.center.text for m in ("云岭县", "桃溪镇", "青石村", "GZ-TX-03", "2026年11月"))
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    col = header.index("风险提示及原因") + 1
    assert ws.cell(row + 1, col).alignment.wrap_text
    from openpyxl.utils import get_column_letter

    widths = {h: ws.column_dimensions[get_column_letter(i + 1)].width for i, h in enumerate(header)}
    assert max(widths, key=widths.get) == "风险提示及原因"  # the reasons get the room
    # masking: nothing in the workbook looks like a full ID or phone
    text = json.dumps([sheet_values(s) for s in wb], ensure_ascii=False, default=str)
    assert not re.search(ID_RE, text) and not re.search(PHONE_RE, text)
    ids = [r[header.index("证件号码")] for r in body]
    assert all(re.fullmatch(r"\d{6}\*{8}[\dX]{4}", i) for i in ids)

    members = wb["家庭成员"]
    mrow, mheader = header_row(members)
    assert {"户编号", "姓名", "证件号码", "与户主关系", "是否参加城乡居民基本医疗保险"} <= set(mheader)
    assert len([r for r in sheet_values(members)[mrow:] if isinstance(r[0], int)]) == 194
    assert members.print_title_rows == f"${mrow}:${mrow}"

    summary = wb["汇总"]
    assert len(summary._charts) == 3
    assert summary.sheet_properties.pageSetUpPr.fitToPage and summary.page_setup.fitToHeight == 1
    labels = [r[0] for r in sheet_values(summary)]
    assert "按户类型" in labels and "按监测对象类别" in labels and "本月纳入与消除" in labels
    assert not list(tmp_path.glob(".*.tmp*"))  # the temporary file was renamed away


def test_unmasked_needs_confirmation_and_is_audited(demo_db, tmp_path):
    run = Run(demo_db)
    out = tmp_path / "full.xlsx"
    refused = run("ledger", "--unmasked", "--out", out)
    assert refused.exit_code == 2 and "--yes" in refused.output and not out.exists()
    assert rows_of(demo_db, "SELECT * FROM audit") == []
    ok = run("ledger", "--unmasked", "--yes", "--out", out)
    assert ok.exit_code == 0, ok.output
    wb = load_workbook(out)
    row, header = header_row(wb["台账"])
    first = sheet_values(wb["台账"])[row]
    assert re.fullmatch(ID_RE, first[header.index("证件号码")])
    audit = rows_of(demo_db, "SELECT action, detail FROM audit")
    assert audit == [{"action": "unmasked", "detail": "ledger month=2026-11 format=xlsx households=60"}]
    assert not re.search(r"\d{6}", audit[0]["detail"].replace("2026-11", ""))  # no personal data in the log


def test_csv_and_json_formats(demo_db, tmp_path):
    run = Run(demo_db)
    assert run("ledger", "--format", "csv", "--out", tmp_path / "l.csv").exit_code == 0
    with (tmp_path / "l.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][1:24] == OFFICIAL and len(rows) == 61
    assert (tmp_path / "l-members.csv").exists() and (tmp_path / "l-overview.csv").exists()
    printed = run("ledger", "--format", "json")
    assert printed.exit_code == 0
    book = json.loads(printed.stdout)
    assert len(book["tables"]["households"]["rows"]) == 60 and book["tables"]["households"]["header"][1:24] == OFFICIAL
    assert run("ledger", "--out", tmp_path / "l.json").exit_code == 0
    assert json.loads((tmp_path / "l.json").read_text(encoding="utf-8")) == book


def test_refusals_are_one_line_with_what_to_do(demo_db, tmp_path):
    run = Run(demo_db)
    for args, words in ((["--month", "2026-13"], "2026-11"), (["--month", "2027-02"], "not started"),
                        (["--out", tmp_path / "no" / "x.xlsx"], "folder"), (["--out", tmp_path / "x.pdf"], ".xlsx"),
                        (["--out", tmp_path / "x.csv", "--format", "xlsx"], "--format"), (["--village", "无此村"], "known")):
        result = run("ledger", *map(str, args))
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) <= 2


def test_a_folder_or_a_locked_file_is_a_usage_error(demo_db, tmp_path):
    from grid_cli.errors import UsageError
    from grid_cli.exports.files import atomic_write

    folder = Run(demo_db)("ledger", "--out", tmp_path)
    assert folder.exit_code == 2 and "folder" in folder.output
    target = tmp_path / "open-in-excel.xlsx"
    target.write_bytes(b"old")

    def excel_holds_it(tmp):  # what Windows raises when Excel has the file open
        tmp.write_bytes(b"new")
        raise PermissionError(13, "Permission denied")

    try:
        atomic_write(target, excel_holds_it)
    except UsageError as error:
        assert "Excel" in error.en and "close the file" in error.message("en")
    else:
        raise AssertionError("no error")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("demo.db")] == ["open-in-excel.xlsx"]


def test_hub_ledger_has_a_grid_column_and_filters(hub_db, tmp_path):
    out = tmp_path / "hub.xlsx"
    result = Run(hub_db)("ledger", "--grid", "TX-02", "--out", out)
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)["台账"]
    row, header = header_row(ws)
    body = [r for r in sheet_values(ws)[row:] if isinstance(r[0], int)]
    assert "网格" in header and {r[header.index("网格")] for r in body} == {"TX-02"} and len(body) == 30
    assert sheet_values(ws)[0][0].startswith("桃溪镇")
