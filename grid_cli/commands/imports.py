"""`grid import households FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import JsonOutOption, console, err, field_label, open_ledger, print_json, say
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


def _shown(entity: str, fld: str, value) -> str:
    """A value as a printout may show it: ID numbers and phones masked, lists joined, yes/no in words."""
    if value is None or value == []:
        return tr("（空）", "(empty)")
    if fld in ("id_number", "phone"):
        return _masked(fld, value)
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, bool) or (fld in _YES_NO and value in (0, 1)):
        return tr("是", "yes") if value else tr("否", "no")
    return str(value)


def _masked(fld: str, value):
    """ID numbers and phones masked in the JSON summary too, as `sync conflicts --json` does."""
    from grid_cli.idcard import mask_id, mask_phone

    if value in (None, ""):
        return value
    return mask_id(str(value)) if fld == "id_number" else mask_phone(str(value)) if fld == "phone" else value


_YES_NO = {"chronic_card", "medical_insurance", "employee_medical_insurance", "serious_illness_insurance",
           "pension_insurance", "employee_pension_insurance", "dibao", "tekun"}


def _who(item: dict) -> str:
    return f"{item['hh_no']} {item['name']}".strip()


def show_changes(report) -> None:
    from rich.table import Table

    if report.changes:
        table = Table(title=tr("更新的字段", "Fields updated"))
        for zh, en in (("户编号 / 成员", "household / member"), ("字段", "field"), ("原值", "old"), ("新值", "new")):
            table.add_column(tr(zh, en), overflow="fold")
        for c in report.changes[:MAX_SHOWN]:
            table.add_row(_who(c), field_label(c["entity"], c["field"]), _shown(c["entity"], c["field"], c["old"]),
                          _shown(c["entity"], c["field"], c["new"]))
        console.print(table, markup=False)
        if len(report.changes) > MAX_SHOWN:
            say("……另有 {n} 项（--json 列出全部）", "... and {n} more (--json lists them all)", n=len(report.changes) - MAX_SHOWN)
    if report.conflicts:
        table = Table(title=tr("本地改过的字段：保留本地值，已记为冲突", "Changed here since the last import: kept, recorded as conflicts"))
        for zh, en in (("冲突", "conflict"), ("户编号 / 成员", "household / member"), ("字段", "field"),
                       ("本地值(保留)", "kept here"), ("文件值", "in the file")):
            table.add_column(tr(zh, en), overflow="fold")
        for c in report.conflicts[:MAX_SHOWN]:
            table.add_row(str(c["conflict"]), _who(c), field_label(c["entity"], c["field"]),
                          _shown(c["entity"], c["field"], c["kept"]), _shown(c["entity"], c["field"], c["file"]))
        console.print(table, markup=False)
        say("核对后用 grid sync conflicts --pick 编号 kept|lost 处理（lost = 采用文件值）",
            "Review them with: grid sync conflicts --pick ID kept|lost (lost = take the file's value)")


@app.command("households")
def households(
    file: Annotated[Path, typer.Argument(help="农户信息表 .xlsx or .csv: the national system's export or the official column names (户编号, 姓名, 证件号码, ...)")],
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="跳过有误的户 import the good households, write the bad rows to a file")] = False,
    rejects: Annotated[Optional[Path], typer.Option("--rejects", help="有误的行写到 where to write the rejected rows (default: FILE.rejects.csv)")] = None,
    grid: Annotated[Optional[str], typer.Option("--grid", help="乡镇/县账本：新户所属网格 at a township or county: the grid of new households")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读的汇总 machine-readable summary")] = False,
    out: JsonOutOption = None,
) -> None:
    """导入农户和成员 — import households and members from Excel or CSV.

    有一行不对就一行也不写入（--skip-invalid 除外） nothing is written if any row is bad, unless
    --skip-invalid."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.importer.households import ImportRefused, import_households

    ledger = open_ledger()
    try:
        report = import_households(ledger, file, skip_invalid=skip_invalid, rejects=rejects, grid=grid)
    except ImportRefused as refused:
        show_problems(refused.report.problems)
        raise
    if as_json:
        summary = {k: v for k, v in vars(report).items() if k != "problems"}
        summary["changes"] = [{**c, "old": _masked(c["field"], c["old"]), "new": _masked(c["field"], c["new"])}
                              for c in report.changes]
        summary["conflicts"] = [{**c, "kept": _masked(c["field"], c["kept"]), "file": _masked(c["field"], c["file"])}
                                for c in report.conflicts]
        summary["problems"] = [{"sheet": p.sheet, "row": p.row, "column": p.column, "reason": p.reason(lang())}
                               for p in report.problems]
        print_json(summary, out)
        return
    if report.problems:
        show_problems(report.problems)
    show_changes(report)
    say("农户：新增 {a}，更新 {u}，未变 {n}；成员：新增 {ma}，更新 {mu}，未变 {mn}",
        "Households: {a} added, {u} updated, {n} unchanged; members: {ma} added, {mu} updated, {mn} unchanged",
        a=report.households_added, u=report.households_updated, n=report.households_unchanged,
        ma=report.members_added, mu=report.members_updated, mn=report.members_unchanged)
    if report.conflicts:
        say("{n} 个字段本地改过，保留本地值（见 grid sync conflicts）",
            "{n} field(s) changed here since the last import were kept (see grid sync conflicts)", n=len(report.conflicts))
    for w in report.warnings:
        say("{c}“{v}”不在全国名单中，已按原样保存（{n} 行）", "{c} '{v}' is not in the national list; kept as written ({n} rows)",
            c=w["column"], v=w["value"], n=w["rows"])
    if report.rejects_file:
        say("有 {n} 行未导入，已写入 {f}（改正后可再次导入）", "{n} rows not imported, written to {f} (fix and import again)",
            n=report.rejected_rows, f=report.rejects_file)
    if report.unused_columns:
        console.print(tr("未使用的列：", "Columns not used: ") + "、".join(report.unused_columns), markup=False)
