"""Neutral tables: what an export holds, before any file format.

A `Table` is a title, a header and rows of plain values (str, int, float, date, None). A `Sheet` is one
page of a workbook: usually one big table (the ledger, the members) whose header repeats on every printed
page, or a few small tables stacked (a summary) with charts beside them. A `Book` is the sheets plus the
page header text. The writers in this package (xlsx, csv, json) turn a Book into files; the builders
(monthly, notice, quarter) make Books from a ledger. Nothing here knows about typer, rich or openpyxl.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence, Union


@dataclass(frozen=True)
class Chart:
    """A native chart over a table's columns: the first column gives the categories, `values` the series
    (column indexes into the table). `kind` is "bar" (vertical columns), "barh" or "line"."""

    title: str
    values: tuple[int, ...] = (1,)
    kind: str = "bar"
    y_title: str = ""
    stacked: bool = False
    colors: tuple[str, ...] = ()  # RGB hex per series, e.g. red/yellow/green for the grades


@dataclass
class Table:
    key: str  # stable machine name: file suffix for csv, key in json
    title: str
    header: list[str]
    rows: list[list[Any]] | Iterable[list[Any]]  # a list, or rows read as they are written (once)
    widths: list[float] | None = None  # column widths in Excel character units
    wrap: Sequence[bool] | None = None  # per column: wrap long text (else shrink-free single line)
    chart: Chart | None = None
    note: str = ""  # a line printed under the table (sources, definitions)
    centered: tuple[str, ...] = ()  # headers of short code columns to centre (grades, yes/no, counts)

    def __post_init__(self) -> None:
        n = len(self.header)
        for row in self.rows if isinstance(self.rows, list) else ():  # streamed rows are the builder's word
            if len(row) != n:
                raise ValueError(f"table {self.key}: a row has {len(row)} cells, the header {n}")
        if self.widths is not None and len(self.widths) != n:
            raise ValueError(f"table {self.key}: {len(self.widths)} widths for {n} columns")

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts keyed by the header (the official column names)."""
        return [dict(zip(self.header, row)) for row in self.rows]


@dataclass
class Sheet:
    name: str  # ≤31 characters, no []:*?/\
    tables: list[Table]
    landscape: bool = True
    main: bool = True  # one big table: freeze panes under its header and repeat the header when printing
    freeze_cols: int = 0  # columns kept in view when scrolling right (main sheets)
    fit_height: int = 0  # pages tall when printed (0: as many as needed; 1: the whole sheet on one page)


@dataclass
class Book:
    # A sheet may be given as a function that makes it when the writer comes to it: a summary of what the
    # streamed sheets before it counted as they were written.
    sheets: list[Union[Sheet, Callable[[], Sheet]]]
    page_header: str = ""  # county / township / village / grid and the period, on every printed page
    title: str = ""  # the title above a first sheet of small tables (a main sheet's title is its table's)
    lines: list[str] = field(default_factory=list)  # text above the first table of the first sheet
    footer_lines: list[str] = field(default_factory=list)  # text under the first sheet's table (signatures)

    def each_sheet(self) -> Iterable[Sheet]:
        for i, sheet in enumerate(self.sheets):
            if callable(sheet):
                sheet = self.sheets[i] = sheet()
            yield sheet

    def tables(self) -> Iterable[Table]:
        for sheet in self.each_sheet():
            yield from sheet.tables

    def table(self, key: str) -> Table:
        for table in self.tables():
            if table.key == key:
                return table
        raise KeyError(key)


def plain(value: Any) -> Any:
    """A cell value as JSON/CSV sees it: dates as ISO text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def csv_cell(value: Any) -> Any:
    """A cell value for a CSV a spreadsheet will open: text that a spreadsheet would run as a formula
    (starting with = + - @ or a tab; typed into a name or a note) gets a leading ' so it shows as text."""
    value = plain(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(value):
        return "'" + value
    return value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
