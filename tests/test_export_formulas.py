"""Text typed into a name or a note that a spreadsheet would run as a formula (=, +, -, @) is written as
text: in the .xlsx as a string cell, in the CSV with a leading apostrophe. Numbers stay numbers."""

from __future__ import annotations

import csv
import zipfile

from openpyxl import load_workbook

from grid_cli.exports.table import Book, Sheet, Table
from grid_cli.exports.textout import write_csv
from grid_cli.exports.xlsx import write_xlsx

ROWS = [["=HYPERLINK(\"http://x\",\"点击\")", "+A1", -5, "-3", "@SUM(A1)", "王芳"]]


def _book() -> Book:
    return Book([Sheet("台账", [Table("t", "台账", ["a", "b", "c", "d", "e", "f"], [list(r) for r in ROWS])])])


def test_xlsx_keeps_formula_like_text_as_text(tmp_path):
    path = write_xlsx(_book(), tmp_path / "t.xlsx")[0]
    with zipfile.ZipFile(path) as zf:
        assert "<f>" not in zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    ws = load_workbook(path).active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert ROWS[0][0] in values and "+A1" in values and -5 in values and "王芳" in values


def test_csv_quotes_formula_like_text_and_leaves_numbers(tmp_path):
    path = write_csv(_book(), tmp_path / "t.csv")[0]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1] == ["'" + ROWS[0][0], "'+A1", "-5", "-3", "'@SUM(A1)", "王芳"]
