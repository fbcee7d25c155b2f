"""`grid notice`: the public-notice list as written, with nothing sensitive in it."""

from __future__ import annotations

import json
import re

from openpyxl import load_workbook

from conftest import Run
from test_exports_support import ID_RE, PHONE_RE, header_row, sheet_values


def test_inclusion_notice_file(demo_db, tmp_path):
    run = Run(demo_db)
    included = run("monitor", "include", "52999903010008", "--category", "边缘易致贫户", "--risk", "因病",
                   "--identified", "2026-11-20", "--village-review", "2026-11-21")
    assert included.exit_code == 0, included.output
    unreviewed = run("monitor", "include", "52999903010012", "--category", "边缘易致贫户", "--risk", "因病",
                     "--identified", "2026-11-20")  # not on the notice: no village review yet
    assert unreviewed.exit_code == 0, unreviewed.output
    out = tmp_path / "公示.xlsx"
    result = run("notice", "--stage", "include", "--month", "2026-11", "--start", "2026-11-23", "--out", out,
                 "--contact", "0851-1234567", lang="zh")
    assert result.exit_code == 0, result.output
    assert "2026-11-23 至 2026-11-27" in result.output
    wb = load_workbook(out)
    ws = wb.active
    row, header = header_row(ws)
    assert "户主姓名" in header and not {"证件号码", "联系电话", "健康状况", "致贫/返贫风险1"} & set(header)
    values = sheet_values(ws)
    body = [r for r in values[row:] if isinstance(r[0], int)]
    assert len(body) == 1 and body[0][header.index("户主姓名")] == "胡豪"
    text = json.dumps(values, ensure_ascii=False, default=str)
    assert "2026年11月23日至2026年11月27日（5天）" in text and "0851-1234567" in text
    for forbidden in ("因病", "健康", "银行", "*"):
        assert forbidden not in text
    assert not re.search(ID_RE, text) and not re.search(PHONE_RE, text)
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == f"${row}:${row}"


def test_notice_refusals(demo_db, tmp_path):
    run = Run(demo_db)
    nobody = run("notice", "--stage", "include", "--month", "2026-11", "--out", tmp_path / "n.xlsx")
    assert nobody.exit_code == 2 and "--household" in nobody.output
    imported = run("notice", "--stage", "eliminate", "-H", "52999903010018", "--out", tmp_path / "n.xlsx")
    assert imported.exit_code == 2 and "village review" in imported.output  # eliminated per the national system
    proposed = run("monitor", "eliminate", "52999903010059", "--method", "帮扶消除", "--month", "2026-11",
                   "--override", "就业稳定", "--village-review", "2026-11-22")
    assert proposed.exit_code == 0, proposed.output
    short = run("notice", "--stage", "eliminate", "-H", "52999903010059", "--days", "3", "--out", tmp_path / "n.xlsx")
    assert short.exit_code == 2 and "5" in short.output
    wrong = run("notice", "--stage", "later", "--out", tmp_path / "n.xlsx")
    assert wrong.exit_code == 2
    for extra in (["--days", "100000000"], ["--start", "9999-12-30"]):  # were an internal error (date overflow)
        far = run("notice", "--stage", "eliminate", "-H", "52999903010059", *extra, "--out", tmp_path / "n.xlsx")
        assert far.exit_code == 2 and "Traceback" not in far.output, far.output
    ok = run("notice", "--stage", "eliminate", "-H", "52999903010059", "--out", tmp_path / "n.xlsx")
    assert ok.exit_code == 0, ok.output
    [row] = [r for r in sheet_values(load_workbook(tmp_path / "n.xlsx").active) if r and r[0] == 1]
    assert "帮扶消除" in row and "202611" in row
