"""CSV and JSON writers for a Book.

CSV: one file per table (the first at the given path, the others as `<stem>-<key>.csv`), UTF-8 with a BOM
so that Excel on Chinese Windows opens the Chinese headers correctly. JSON: the whole Book as one
document with stable keys: {"page_header", "tables": {key: {"title", "header", "rows"}}}.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any

from grid_cli.exports.files import atomic_write, sibling
from grid_cli.exports.table import Book, Table, csv_cell, plain


def table_dict(table: Table) -> dict[str, Any]:
    return {"title": table.title, "header": list(table.header),
            "rows": [[plain(v) for v in row] for row in table.rows], **({"note": table.note} if table.note else {})}


def book_dict(book: Book) -> dict[str, Any]:
    return {"page_header": book.page_header,
            "tables": {t.key: table_dict(t) for t in book.tables()}}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=plain) + "\n"


def dump_book(book: Book, out: IO[str]) -> None:
    """The Book as `book_dict` gives it, written as its rows are read (a streamed table is never held whole)."""
    out.write("{\n  " + f'"page_header": {json.dumps(book.page_header, ensure_ascii=False)},\n  "tables": {{')
    for i, table in enumerate(book.tables()):
        out.write(("," if i else "") + f"\n    {json.dumps(table.key, ensure_ascii=False)}: {{\n      "
                  f'"title": {json.dumps(table.title, ensure_ascii=False)},\n      '
                  f'"header": {json.dumps(list(table.header), ensure_ascii=False)},\n      "rows": [')
        for n, row in enumerate(table.rows):
            out.write(("," if n else "") + "\n        " + json.dumps([plain(v) for v in row], ensure_ascii=False,
                                                                    default=plain))
        out.write("\n      ]" + (f',\n      "note": {json.dumps(table.note, ensure_ascii=False)}' if table.note else "")
                  + "\n    }")
    out.write("\n  }\n}\n")


def write_book_json(book: Book, path: Path) -> list[Path]:
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as handle:
            dump_book(book, handle)

    atomic_write(Path(path), write)
    return [Path(path)]


def write_json(value: Any, path: Path) -> list[Path]:
    text = dumps(value)
    atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return [Path(path)]


def _write_csv(table: Table, tmp: Path) -> None:
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(table.header)
        out.writerows([csv_cell(v) for v in row] for row in table.rows)


def write_csv(book: Book, path: Path) -> list[Path]:
    """One CSV per table; returns the paths written, the main table first."""
    path, written = Path(path), []
    for i, table in enumerate(book.tables()):
        target = path if i == 0 else sibling(path, table.key)
        atomic_write(target, lambda tmp, table=table: _write_csv(table, tmp))
        written.append(target)
    return written
