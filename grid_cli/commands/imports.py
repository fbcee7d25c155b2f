"""`grid import households FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import console, err, open_ledger, print_json, say
from grid_cli.i18n import lang, tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

MAX_SHOWN = 50


def show_problems(problems) -> None:
    from rich.table import Table

    table = Table(title=tr("导入错误", "Import problems"), title_style="bold red")
    for zh, en in (("工作表", "Sheet"), ("行", "Row"), ("列", "Column"), ("原因", "Reason")):
        table.add_column(tr(zh, en), overflow="fold")  # the reason lists what is allowed: never cut it
    for p in problems[:MAX_SHOWN]:
        table.add_row(p.sheet, str(p.row), p.column, p.reason(lang()))
    err.print(table)
    if len(problems) > MAX_SHOWN:
        err.print(tr("……另有 {n} 处", "... and {n} more", n=len(problems) - MAX_SHOWN), markup=False)


@app.command("households")
def households(
    file: Annotated[Path, typer.Argument(help=".xlsx or .csv in the official column names (户编号, 姓名, 证件号码, ...)")],
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="import the good households, write the bad rows to a file")] = False,
    rejects: Annotated[Optional[Path], typer.Option("--rejects", help="where to write rejected rows (default: FILE.rejects.csv)")] = None,
    grid: Annotated[Optional[str], typer.Option("--grid", help="乡镇/县账本：新户所属网格 at a township or county: the grid of new households")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable summary")] = False,
) -> None:
    """Import households and members; nothing is written if any row is bad (unless --skip-invalid)."""
    from grid_cli.importer.households import ImportRefused, import_households

    ledger = open_ledger()
    try:
        report = import_households(ledger, file, skip_invalid=skip_invalid, rejects=rejects, grid=grid)
    except ImportRefused as refused:
        show_problems(refused.report.problems)
        raise
    if as_json:
        summary = {k: v for k, v in vars(report).items() if k != "problems"}
        summary["problems"] = [{"sheet": p.sheet, "row": p.row, "column": p.column, "reason": p.reason(lang())}
                               for p in report.problems]
        print_json(summary)
        return
    if report.problems:
        show_problems(report.problems)
    say("农户：新增 {a}，更新 {u}，未变 {n}；成员：新增 {ma}，更新 {mu}，未变 {mn}",
        "Households: {a} added, {u} updated, {n} unchanged; members: {ma} added, {mu} updated, {mn} unchanged",
        a=report.households_added, u=report.households_updated, n=report.households_unchanged,
        ma=report.members_added, mu=report.members_updated, mn=report.members_unchanged)
    if report.rejects_file:
        say("有 {n} 行未导入，已写入 {f}（改正后可再次导入）", "{n} rows not imported, written to {f} (fix and import again)",
            n=report.rejected_rows, f=report.rejects_file)
    if report.ignored_columns:
        console.print(tr("未识别的列（未导入）：", "Columns not recognised (not imported): ") +
                      "、".join(dict.fromkeys(report.ignored_columns)), markup=False)
