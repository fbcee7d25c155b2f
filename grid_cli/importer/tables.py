"""Reading spreadsheet files into rows keyed by header, whatever title rows sit above the header.

Real files have merged title rows, headers with stray spaces or full-width brackets, CSVs saved by
Chinese Excel in GB18030. We find the header row by how many known column names it holds.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from grid_cli.errors import DataError
from grid_cli.fields import header_key

SCAN_ROWS = 15  # how far down a header may sit below title rows


@dataclass
class Sheet:
    name: str
    headers: list[str]  # as written in the file
    keys: list[str]  # folded header keys
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row number, folded key -> value)


def read_tables(path: Path, known: set[str]) -> list[Sheet]:
    """Every sheet of the file that has a recognisable header row."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"找不到文件：{path}", f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _xlsx_sheets(path)
    elif suffix in (".csv", ".txt"):
        raw = [(path.stem, _csv_rows(path))]
    else:
        raise DataError(f"不支持的文件类型 {suffix}", f"unsupported file type {suffix}",
                        hint_zh="请另存为 .xlsx 或 .csv", hint_en="save it as .xlsx or .csv")
    sheets = []
    for name, rows in raw:
        sheet = _with_header(name, rows, known)
        if sheet:
            sheets.append(sheet)
    return sheets


def _xlsx_sheets(path: Path) -> list[tuple[str, list[tuple]]]:
    import zlib
    from zipfile import BadZipFile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in book.worksheets]
        finally:
            book.close()
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError,
            SyntaxError, zlib.error):  # an XML ParseError in a sheet, a damaged deflate stream
        raise DataError(f"无法读取 Excel 文件（可能已损坏或未写完）：{path}",
                        f"cannot read the Excel file (damaged or half-written?): {path}",
                        hint_zh="用 Excel 打开后重新保存为 .xlsx", hint_en="open it in Excel and save it again as .xlsx") from None


def _csv_rows(path: Path) -> list[tuple]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese Excel writes CSV in GB18030/GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DataError(f"无法识别文件编码：{path}", f"cannot tell the text encoding of {path}",
                        hint_zh="请另存为 UTF-8 编码的 CSV", hint_en="save it as UTF-8 CSV")
    return [tuple(row) for row in csv.reader(io.StringIO(text))]


def _with_header(name: str, rows: list[tuple], known: set[str]) -> Sheet | None:
    best, best_score = None, 1
    for index, row in enumerate(rows[:SCAN_ROWS]):
        score = sum(1 for cell in row if header_key(cell) in known)
        if score > best_score:
            best, best_score = index, score
    if best is None:
        return None
    headers = [str(c).strip() if c is not None else "" for c in rows[best]]
    keys = [header_key(h) for h in headers]
    sheet = Sheet(name, headers, keys)
    for number, row in enumerate(rows[best + 1:], start=best + 2):
        if not any(_present(c) for c in row):
            continue
        sheet.rows.append((number, {k: row[i] for i, k in enumerate(keys) if k and i < len(row)}))
    return sheet


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def write_rejects(path: Path, headers: Iterable[str], rows: Iterable[list[Any]]) -> None:
    """The rejected rows with a reason column, as UTF-8 CSV with BOM so Excel opens it in Chinese."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(headers))
        writer.writerows(rows)
