"""Exports: neutral tables (table.py) built from a ledger (monthly.py, notice.py, quarter.py) and written
as .xlsx (xlsx.py), .csv or .json (textout.py), always atomically (files.py).

Pure core: no typer, no rich; openpyxl only inside xlsx.py, which only the commands that write a
workbook import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grid_cli.exports.table import Book


def write_book(book: Book, path: Path, fmt: str) -> list[Path]:
    """Write a Book as xlsx, csv (one file per table) or json; returns the files written."""
    if fmt == "xlsx":
        from grid_cli.exports.xlsx import write_xlsx

        return write_xlsx(book, path)
    from grid_cli.exports import textout

    if fmt == "csv":
        return textout.write_csv(book, path)
    return textout.write_book_json(book, path)


def write_demo_exports(ledger: Any, folder: Path) -> list[Path]:
    """The sample grid's ledger for this month and report for this quarter, as `grid demo` leaves them."""
    from grid_cli.clock import today
    from grid_cli.exports.monthly import stream_monthly
    from grid_cli.exports.quarter import build_quarter, quarter_book, today_quarter

    day = today()
    month, quarter = f"{day.year:04d}-{day.month:02d}", today_quarter()
    written = write_book(stream_monthly(ledger, month).book, Path(folder) / f"ledger-{month}.xlsx", "xlsx")
    written += write_book(quarter_book(build_quarter(ledger, quarter)), Path(folder) / f"report-{quarter}.xlsx", "xlsx")
    return written
