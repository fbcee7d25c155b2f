"""Reading spreadsheet files as a stream of rows keyed by header, whatever title rows sit above the header.

Real files have merged title rows (the national system's exports put the header on the third row),
headers with stray spaces or full-width brackets, CSVs saved by Chinese Excel in GB18030. We find the
header row by how many known column names it holds, then stream the rows after it: memory stays flat
however long the file is.

A file from outside may be damaged, half-written or hostile. Whatever the parser trips on (a truncated
sheet, a bad zlib stream, a CSV field longer than any cell Excel writes, entity expansion, which
defusedxml refuses) becomes one DataError, "damaged file", exit 3, raised before the import writes
anything. A file too big for any grid is refused early: on the sheet's declared dimension or the zip's
declared sizes before reading, else when the row limit is reached.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from grid_cli.errors import DataError, GridError
from grid_cli.fields import header_key

SCAN_ROWS = 15  # how far down a header may sit below title rows
MAX_ROWS = 1_000_000  # rows per sheet: a county has about half a million members
MAX_COLUMNS = 1_000  # the national member export has about a hundred
MAX_PART_BYTES = 4 << 30  # a sheet's declared uncompressed size
MAX_SHARED_STRINGS_BYTES = 512 << 20  # openpyxl holds the shared strings in memory
MAX_CSV_BYTES = 1 << 30


@dataclass
class Sheet:
    name: str
    headers: list[str]  # as written in the file
    keys: list[str]  # folded header keys
    header_row: int  # 1-based
    rows: Iterator[tuple[int, tuple]]  # (row number, cells), lazily; rows with no value are skipped


def damaged(path: Path, what: str = "") -> DataError:
    detail_zh, detail_en = (f"（{what}）", f" ({what})") if what else ("", "")
    return DataError(f"文件已损坏或未写完，无法读取{detail_zh}：{Path(path).name}",
                     f"damaged or half-written file, cannot read it{detail_en}: {Path(path).name}",
                     hint_zh="用 Excel/WPS 打开后重新保存为 .xlsx 或 .csv，或重新从系统导出",
                     hint_en="open it in Excel/WPS and save it again as .xlsx or .csv, or export it again")


def too_big(path: Path, rows: int) -> DataError:
    return DataError(f"{Path(path).name} 的行数超过 {MAX_ROWS:,} 行（约 {rows:,} 行），不是一个县以内的花名册",
                     f"{Path(path).name} has more than {MAX_ROWS:,} rows (about {rows:,}): not a roster of one county",
                     hint_zh="按乡镇或网格分开导出后分别导入", hint_en="export it by township or grid and import the parts")


def read_tables(path: Path, known: set[str]) -> Iterator[Sheet]:
    """Every sheet of the file that has a recognisable header row, each streaming its rows. Reading
    errors surface as DataError from this generator or from a sheet's rows."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"找不到文件：{path}", f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _xlsx_sheets(path)
    elif suffix in (".csv", ".txt"):
        raw = iter([(path.stem, _csv_rows(path))])
    else:
        raise DataError(f"不支持的文件类型 {suffix}", f"unsupported file type {suffix}",
                        hint_zh="请另存为 .xlsx 或 .csv", hint_en="save it as .xlsx or .csv")
    for name, rows in raw:
        sheet = _with_header(path, name, rows, known)
        if sheet:
            yield sheet


def _xlsx_sheets(path: Path) -> Iterator[tuple[str, Iterator[tuple]]]:
    from zipfile import ZipFile

    import openpyxl

    try:
        with ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename.lower()
                limit = MAX_SHARED_STRINGS_BYTES if name.endswith("sharedstrings.xml") else MAX_PART_BYTES
                if info.file_size > limit:
                    raise too_big(path, info.file_size // 40)  # ~40 bytes of XML per cell at the least
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    rows = _count_rows(archive, info)
                    if rows > MAX_ROWS:
                        raise too_big(path, rows)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except GridError:
        raise
    except Exception as error:  # anything the zip or XML parser trips on: the file, not us
        raise damaged(path, type(error).__name__) from None
    try:
        for ws in book.worksheets:
            if not hasattr(ws, "iter_rows"):  # a chart sheet
                continue
            declared = ws.max_row or 0
            if declared > MAX_ROWS:
                raise too_big(path, declared)
            if (ws.max_column or 0) > MAX_COLUMNS:
                raise damaged(path, f"{ws.max_column} columns")
            ws.reset_dimensions()  # a dimension smaller than the data must not cut rows off: read them all
            yield ws.title, _guarded(path, ws.iter_rows(values_only=True))
    finally:
        book.close()


def _count_rows(archive, info) -> int:
    """The <row> elements of a sheet, counted in the decompressed bytes at zlib's speed: a sheet of millions
    of rows that declares no dimension is refused in seconds, not after parsing a million of them."""
    count, tail = 0, b""
    with archive.open(info) as part:
        while chunk := part.read(1 << 20):
            data = tail + chunk  # a tag cut by the chunk boundary is whole here, and never counted twice
            count += data.count(b"<row ") + data.count(b"<row>")
            tail = data[-4:]
            if count > MAX_ROWS:
                break
    return count


def _guarded(path: Path, rows: Iterator[tuple]) -> Iterator[tuple]:
    """The rows of one sheet, with the parser's failures as `damaged` and the row limit enforced."""
    count = 0
    try:
        for row in rows:
            count += 1
            if count > MAX_ROWS:
                raise too_big(path, count)
            if len(row) > MAX_COLUMNS:
                raise damaged(path, f"{len(row)} columns")
            yield row
    except GridError:
        raise
    except Exception as error:
        raise damaged(path, type(error).__name__) from None


def _csv_rows(path: Path) -> Iterator[tuple]:
    if path.stat().st_size > MAX_CSV_BYTES:
        raise too_big(path, path.stat().st_size // 20)
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
    if data.count(b"\n") > MAX_ROWS and sum(1 for _ in csv.reader(io.StringIO(text))) > MAX_ROWS + 1:
        raise too_big(path, data.count(b"\n"))  # counted at C speed before any row is parsed
    del data
    # csv's field limit (131,072 characters) is above the 32,767 an Excel cell holds: a longer field is damage
    return _guarded(path, (tuple(row) for row in csv.reader(io.StringIO(text))))


def _with_header(path: Path, name: str, rows: Iterator[tuple], known: set[str]) -> Sheet | None:
    head = []
    for row in rows:
        head.append(row)
        if len(head) >= SCAN_ROWS:
            break
    best, best_score = None, 1
    for index, row in enumerate(head):
        score = sum(1 for cell in row if header_key(cell) in known)
        if score > best_score:
            best, best_score = index, score
    if best is None:
        return None
    headers = [str(c).strip() if c is not None else "" for c in head[best]]

    def body() -> Iterator[tuple[int, tuple]]:
        number = best + 1
        for row in _chain(head[best + 1:], rows):
            number += 1
            if any(_present(c) for c in row):
                yield number, row

    return Sheet(name, headers, [header_key(h) for h in headers], best + 1, body())


def _chain(first: list[tuple], rest: Iterator[tuple]) -> Iterator[tuple]:
    yield from first
    yield from rest


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


def check_rejects_target(path: Path) -> None:
    """Refuse an unwritable rejects path before anything is imported: create (or open) it now and leave
    no trace if it was not there."""
    path = Path(path)
    if path.is_dir():
        raise DataError(f"--rejects {path} 是文件夹，请给出文件名", f"--rejects {path} is a folder; give a file name")
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
    except OSError as error:
        raise DataError(f"无法写入错误行文件 {path}（{error.strerror or error}），未导入任何数据",
                        f"cannot write the rejects file {path} ({error.strerror or error}); nothing was imported",
                        hint_zh="用 --rejects 换一个可写的位置", hint_en="choose a writable place with --rejects") from None
    if not existed:
        path.unlink(missing_ok=True)
