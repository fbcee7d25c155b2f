"""The .xlsx writer: a Book as a workbook that prints as delivered.

Every sheet: A4 (landscape unless the sheet says otherwise), fitted to the page width, narrow margins,
centred, a page header (county / township / village / grid and the period) and a "page N of M" footer.
Main sheets (one big table) freeze the panes under the header and repeat the header row on every printed
page; summary sheets stack small tables with native charts beside them. Cells carry thin borders and
wrap where the text is long, in 宋体 (SimSun), the font every Chinese Windows has.

openpyxl's write-only mode streams rows straight to the file, and a table's rows may be a generator read
as they are written (only the first 200 are looked at to choose each column's style), so a county's
ledger keeps memory flat; styles are prepared once and shared by every cell that uses them. openpyxl is imported here
only, and this module only by the commands that write a workbook.
"""

from __future__ import annotations

import datetime as dt
from itertools import chain, islice
from pathlib import Path
from typing import Any

from grid_cli.exports.files import atomic_write
from grid_cli.exports.table import Book, Chart, Sheet, Table

FONT = "宋体"
BODY_SIZE = 10
GRADE_FILLS = {"红": "F8CBAD", "黄": "FFE699", "绿": "C6E0B4", "red": "F8CBAD", "yellow": "FFE699", "green": "C6E0B4"}
FLAG_FILL = "F8CBAD"
CHART_ROWS = 16  # rows a chart takes on a summary sheet (7.5 cm at the default row height)


def xml_text(value: Any) -> Any:
    """A cell value an .xlsx can hold: control characters XML forbids (refused at the door, but a ledger may
    hold some from before) become U+FFFD, rather than failing the whole export (IllegalCharacterError)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


def text_width(value: Any) -> int:
    """Display width in Excel character units of the longest line: CJK characters count two.
    (UTF-8 spends 3 bytes on a CJK character and 1 on ASCII, so (bytes + chars) / 2 counts them in C.)"""
    text = value if isinstance(value, str) else ("" if value is None else f"{value:,}" if isinstance(value, int) else str(value))
    return max((len(line.encode()) + len(line)) // 2 for line in text.split("\n"))


LINE_PT = 14.0  # one line of 10 pt CJK text, in points (宋体 needs 13.5, Noto CJK a little more)


def _capacity(width: float) -> int:
    """Half-width glyphs one line of a column holds: a column of w units is 7w + 5 pixels wide and a
    10 pt CJK glyph takes 13.3 px (two half-width places) and wraps whole."""
    return max(2 * int((width * 7 + 2) / 13.33), 2)


def lines_needed(text: str, width: float) -> int:
    """How many lines a wrapped cell of `width` units needs for `text` (a safe over-estimate)."""
    usable = _capacity(width)
    total = 0
    for line in text.split("\n"):
        w = (len(line.encode()) + len(line)) // 2
        total += max(1, -int(-w // usable))
    return total


def auto_widths(table: Table, *, cap: int = 40, floor: int = 6) -> list[float]:
    widths = []
    sample = table.rows[:500] if isinstance(table.rows, list) else []  # streamed tables give their widths
    for i, name in enumerate(table.header):
        content = max([text_width(row[i]) for row in sample] or [0])
        head = min(text_width(name), 12)  # long headers wrap
        widths.append(float(min(cap, max(floor, content + 2, head + 2))))
    return widths


class _Styles:
    """StyleArrays prepared once per workbook; cells share them (openpyxl only reads them when saving)."""

    def __init__(self, wb, ws) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="808080")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)

        def style(**kw):
            cell = WriteOnlyCell(ws)
            for key, value in kw.items():
                setattr(cell, key, value)
            return cell._style, str(wb._cell_styles.add(cell._style))  # (StyleArray, its index as the XML text)

        body = dict(font=Font(name=FONT, size=BODY_SIZE), border=border)
        self.title = style(font=Font(name=FONT, size=14, bold=True), alignment=Alignment(horizontal="center", vertical="center"))
        self.title_left = style(font=Font(name=FONT, size=14, bold=True), alignment=Alignment(vertical="center"))
        self.subtitle = style(font=Font(name=FONT, size=11, bold=True), alignment=Alignment(vertical="center"))
        self.line = style(font=Font(name=FONT, size=BODY_SIZE + 1), alignment=Alignment(vertical="top", wrap_text=True))
        self.note = style(font=Font(name=FONT, size=BODY_SIZE - 1, italic=True, color="595959"),
                          alignment=Alignment(vertical="top", wrap_text=False))
        self.header = style(font=Font(name=FONT, size=BODY_SIZE, bold=True), border=border,
                            fill=PatternFill("solid", fgColor="D9D9D9"),
                            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
        self.text = style(**body, alignment=Alignment(vertical="center"))
        self.wrap = style(**body, alignment=Alignment(vertical="center", wrap_text=True))
        self.number = style(**body, alignment=Alignment(vertical="center"), number_format="#,##0")
        self.centered = style(**body, alignment=Alignment(horizontal="center", vertical="center"))
        self.decimal = style(**body, alignment=Alignment(vertical="center"), number_format="0.0")
        self.date = style(**body, alignment=Alignment(vertical="center"), number_format="yyyy-mm-dd")
        self.WriteOnlyCell = WriteOnlyCell
        self.StyledCell = _styled_cell_class()


def _styled_cell_class():
    """A Cell whose style index is set once per value rather than looked up (hashed) per cell."""
    from openpyxl.cell import Cell

    class StyledCell(Cell):
        __slots__ = ("style_id",)
        has_style = True

    return StyledCell


def _setup_page(ws, book: Book, sheet: Sheet) -> None:
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = sheet.fit_height  # 0: as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.75
    margins.header = margins.footer = 0.3
    if book.page_header:
        ws.oddHeader.center.text = xml_text(book.page_header).replace("&", "&&")
        ws.oddHeader.center.size = 10
        ws.oddHeader.center.font = f"{FONT},Regular"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    ws.oddFooter.right.text = sheet.name.replace("&", "&&")
    ws.oddFooter.right.size = 9


def _styled_rows(ws, make_cell, styled_cell) -> dict:
    """Rows are appended as plain value lists, styled column by column from `state["styles"]` (a list of
    (StyleArray, index) per column, set before appending the rows of a table). Returns that state.

    Fast path: replace the worksheet's `_values_to_row` (the generator openpyxl's write-only sheet feeds
    each appended row through) with one that reuses a single cell and just sets its style, instead of
    building a styled Cell object per value (which openpyxl then rejects as a value, catches, and
    copies: twice the work per cell). The writer consumes each yielded cell before the next, exactly as
    with openpyxl's own loop. If a future openpyxl lacks the hook, build styled cells the slow way."""
    from openpyxl.utils.exceptions import IllegalCharacterError

    state: dict = {"styles": []}
    if not hasattr(ws, "_values_to_row"):
        original = ws.append

        def append(values):
            cells = []
            for value, (style, _index) in zip(values, state["styles"]):
                if value is None:
                    cells.append(None)
                    continue
                cell = make_cell(ws, xml_text(value))
                if cell.data_type == "f":  # text that starts with '=' stays text (a name is never a formula)
                    cell.data_type = "s"
                cell._style = style
                cells.append(cell)
            original(cells)

        ws.append = append
        return state

    def values_to_row(values, row_idx):
        cell = styled_cell(ws)
        col_idx = 0
        for value, (style, index) in zip(values, state["styles"]):
            col_idx += 1
            if value is None:
                continue
            try:
                cell.value = value
            except IllegalCharacterError:  # openpyxl checks every text anyway: the clean-up costs nothing else
                cell.value = xml_text(value)
            if cell.data_type == "f":  # text that starts with '=' stays text (a name is never a formula)
                cell.data_type = "s"
            cell.column = col_idx
            cell.row = row_idx
            cell._style = style
            cell.style_id = index
            yield cell

    ws._values_to_row = values_to_row
    return state


def _row_styles(styles: _Styles, table: Table, first: list) -> list:
    """Per column: wrap text, numbers, or plain text (decided from the first rows' values), prepared once."""
    out = []
    wrap = list(table.wrap) if table.wrap is not None else [False] * len(table.header)
    for i in range(len(table.header)):
        sample = next((row[i] for row in first if row[i] not in (None, "")), None)
        if table.header[i] in table.centered:
            out.append(styles.centered)
        elif isinstance(sample, bool):
            out.append(styles.text)
        elif isinstance(sample, int):
            out.append(styles.number)
        elif isinstance(sample, float):
            out.append(styles.decimal)
        elif isinstance(sample, (dt.date, dt.datetime)):
            out.append(styles.date)
        else:
            out.append(styles.wrap if wrap[i] else styles.text)
    return out


def _grade_formatting(ws, table: Table, first_row: int, last_row: int) -> None:
    """Colour the grade column (红/黄/绿) and any 挂牌预警 mark: conditional formats cost nothing per cell."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    if last_row < first_row:
        return
    for i, name in enumerate(table.header):
        col = get_column_letter(i + 1)
        area = f"{col}{first_row}:{col}{last_row}"
        if name in ("风险等级", "等级", "grade"):
            for value, colour in GRADE_FILLS.items():
                ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{value}"'],
                                                               fill=PatternFill("solid", bgColor=colour)))
        elif name in ("挂牌预警",):
            ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=['"挂牌预警"'],
                                                           fill=PatternFill("solid", bgColor=FLAG_FILL)))


def _chart(ws, chart: Chart, table: Table, header_row: int, last_row: int):
    from openpyxl.chart import BarChart, LineChart, Reference

    if chart.kind == "line":
        c = LineChart()
    else:
        c = BarChart()
        c.type = "bar" if chart.kind == "barh" else "col"
        if chart.stacked:
            c.grouping, c.overlap = "stacked", 100
    c.title = chart.title
    c.y_axis.title = chart.y_title or None
    c.height, c.width = 7.5, 15
    c.x_axis.delete = False  # openpyxl ≥3.1 hides axes unless told
    c.y_axis.delete = False
    c.legend.position = "b"
    top = max([v for row in table.rows for i, v in enumerate(row) if i in chart.values and isinstance(v, (int, float))]
              or [0])
    axis = c.y_axis  # the value axis (openpyxl names it y for column, bar and line charts alike)
    axis.scaling.min = 0
    axis.majorUnit = max(1, -(-top // 5)) if top == int(top) else None
    axis.number_format = "0" if top == int(top) else "General"
    if len(chart.values) == 1:
        c.legend = None
    for col in chart.values:
        c.add_data(Reference(ws, min_col=col + 1, min_row=header_row, max_row=last_row), titles_from_data=True)
    for series, colour in zip(c.series, chart.colors):
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    c.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    return c


def _widths(sheet: Sheet) -> list[float]:
    merged: list[float] = []
    for table in sheet.tables:
        widths = table.widths or auto_widths(table)
        for i, w in enumerate(widths):
            if i < len(merged):
                merged[i] = max(merged[i], w)
            else:
                merged.append(w)
    return merged


def _write_sheet(wb, book: Book, sheet: Sheet, styles_holder: list, first: bool) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet.name[:31])
    if not styles_holder:
        styles_holder.append(_Styles(wb, ws))
    styles: _Styles = styles_holder[0]
    _setup_page(ws, book, sheet)
    widths = _widths(sheet)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    span = max(len(widths), 1)
    last_col = get_column_letter(span)
    chart_col = get_column_letter(span + 2)

    row = 0
    charts_at = 1  # next free row for a chart on a summary sheet

    state = _styled_rows(ws, styles.WriteOnlyCell, styles.StyledCell)

    def put(pairs: list, height: float | None = None) -> None:
        nonlocal row
        row += 1
        if height:
            ws.row_dimensions[row].height = height
        state["styles"] = [style for _value, style in pairs]
        ws.append([value for value, _style in pairs])

    def merged_line(text: str, style, height: float | None = None) -> None:
        put([(text, style)], height)
        if span > 1:
            ws.merged_cells.add(f"A{row}:{last_col}{row}")

    lines = book.lines if first else []
    if sheet.main:  # the sheet view is written with the first row: freeze before appending anything
        first_header = 1 + len(lines) + 1
        ws.freeze_panes = f"{get_column_letter(sheet.freeze_cols + 1)}{first_header + 1}"
    if first and not sheet.main and book.title:
        put([(book.title, styles.title_left)], 24)  # not merged: overflows to the right, over the charts' columns
        for text in lines:
            merged_line(text, styles.line, _line_height(text, sum(widths)))
        charts_at = row + 1
    for t_index, table in enumerate(sheet.tables):
        if sheet.main and t_index == 0:
            merged_line(table.title, styles.title, 24)
            for text in lines:
                merged_line(text, styles.line, _line_height(text, sum(widths)))
        else:
            put([(table.title, styles.subtitle)], 20)
        twidths = table.widths or auto_widths(table)
        head_lines = max(lines_needed(h, w) for h, w in zip(table.header, twidths))
        put([(h, styles.header) for h in table.header], head_lines * LINE_PT + 4)
        header_row = row
        if sheet.main and t_index == 0:
            ws.print_title_rows = f"{header_row}:{header_row}"
            assert header_row == first_header
        rows = iter(table.rows)  # streamed rows are read once, here
        first = list(islice(rows, 200))
        col_styles = _row_styles(styles, table, first)
        # wrapped columns: (index, width, the length in characters below which a text surely fits one line)
        wrapped = [(i, w, _capacity(w) // 2) for i, (w, on) in enumerate(zip(twidths, table.wrap or [False] * len(twidths)))
                   if on]
        dims = ws.row_dimensions
        append = ws.append
        state["styles"] = col_styles
        for values in chain(first, rows):
            row += 1
            lines = 1
            for i, w, short in wrapped:
                v = values[i]
                if v.__class__ is str and (len(v) > short or "\n" in v):
                    lines = max(lines, lines_needed(v, w))
            if lines > 1:
                dims[row].height = lines * LINE_PT + 3
                append(values)
                del dims[row]  # written with its row: a county's 150,000 heights need not stay in memory
            else:
                append(values)
        last_row = row
        _grade_formatting(ws, table, header_row + 1, last_row)
        if table.note:
            put([(table.note, styles.note)])
        if table.chart and table.rows:
            c = _chart(ws, table.chart, table, header_row, last_row)
            anchor_row = charts_at if not sheet.main else last_row + 2
            ws.add_chart(c, f"{chart_col if not sheet.main else 'B'}{anchor_row}")
            charts_at = anchor_row + CHART_ROWS
        if not sheet.main or t_index < len(sheet.tables) - 1:
            put([])
    if first:
        for text in book.footer_lines:
            put([])
            merged_line(text, styles.line, _line_height(text, sum(widths)))


def _line_height(text: str, width: float) -> float:
    per_line = max(width * 0.9, 20)
    lines = sum(max(1, -(-text_width(part) // int(per_line))) for part in text.split("\n"))
    return 16.0 * lines + 4


def write_xlsx(book: Book, path: Path) -> list[Path]:
    """Write the Book to `path` (atomically). Returns [path]."""
    atomic_write(Path(path), lambda tmp: save_xlsx(book, tmp))
    return [Path(path)]


def save_xlsx(book: Book, path: Path) -> None:
    """Write the Book into `path` as it is (the caller makes it a temporary file and renames it)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    holder: list = []
    for i, sheet in enumerate(book.each_sheet()):
        _write_sheet(wb, book, sheet, holder, i == 0)
    wb.save(path)
