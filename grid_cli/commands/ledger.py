"""`grid ledger`: the monthly grid ledger 村级监测对象网格管理电子台账 as a print-ready workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import err, interactive, note_unmasked, open_ledger, say
from grid_cli.errors import UsageError
from grid_cli.i18n import tr


def confirm_unmasked(yes: bool) -> None:
    """Full ID numbers and phones leave the ledger only when someone says so, at a terminal or with --yes."""
    if yes:
        return
    if not interactive():
        raise UsageError("--unmasked 会写出完整的证件号码和电话，需要确认", "--unmasked writes full ID numbers and phones and needs confirmation",
                         hint_zh="确认后加上 --yes 再运行", hint_en="add --yes to confirm")
    err.print(tr("注意：文件将包含完整的证件号码和联系电话（个人敏感信息），请妥善保管，不要通过聊天软件传送。",
                 "Note: the file will hold full ID numbers and phone numbers (sensitive personal data); keep it safe and "
                 "do not send it through chat apps."), markup=False)
    if not typer.confirm(tr("确定写出不脱敏的台账吗？", "Write the ledger unmasked?"), default=False):
        raise typer.Exit(1)


def ledger_command(
    month: Annotated[Optional[str], typer.Option("--month", help="月份 month YYYY-MM (default: this month)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="写入文件 file to write (default: ./ledger-YYYY-MM.xlsx; json without --out prints); 文件夹 a folder with --per-township")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="格式 format: xlsx | csv | json (default: from --out, else xlsx)")] = None,
    village: Annotated[Optional[str], typer.Option("--village", help="只看该自然村 only this 自然村")] = None,
    grid: Annotated[Optional[str], typer.Option("--grid", help="只看该网格 only this grid (township and county ledgers)")] = None,
    township: Annotated[Optional[str], typer.Option("--township", help="只看该乡镇 only this township (county ledgers)")] = None,
    per_township: Annotated[bool, typer.Option("--per-township", help="每个乡镇一个工作簿 a county: one workbook per township into the --out folder, with an index")] = False,
    unmasked: Annotated[bool, typer.Option("--unmasked", help="完整证件号码和电话 full ID numbers and phones (asks; recorded in the audit log)")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再询问 confirm --unmasked without asking")] = False,
) -> None:
    """月度台账 — the month's ledger: households, members, a summary with charts."""
    from grid_cli.clock import today
    from grid_cli.exports import write_book
    from grid_cli.exports.files import check_target, format_for
    from grid_cli.exports.monthly import stream_monthly
    from grid_cli.exports.snapshot import month_range

    month_text = month_range(month or today())[0]
    if per_township:
        _per_township(month_text, out, fmt, unmasked, yes)
        return
    fmt = format_for(out, fmt)
    target = None if out is None and fmt == "json" else (out or Path(f"ledger-{month_text}.{fmt}"))
    if target is not None:
        check_target(target)
    if unmasked:
        confirm_unmasked(yes)
    ledger = open_ledger()
    result = stream_monthly(ledger, month_text, village=village, grid=grid, township=township, unmasked=unmasked)
    if target is None:
        import sys

        from grid_cli.exports import textout

        textout.dump_book(result.book, sys.stdout)
        written = []
    else:
        written = write_book(result.book, target, fmt)
    data = result.data
    if unmasked:
        note_unmasked(ledger, f"ledger month={month_text} format={fmt} households={data.households}")
    if written:
        say("已写出 {m} 台账：{h} 户、{p} 人 → {f}", "Wrote the {m} ledger: {h} households, {p} people -> {f}",
            m=month_text, h=data.households, p=data.members, f=written[0])
    for path in written[1:]:
        say("  另有 → {f}", "  also -> {f}", f=path)
    if written and not unmasked:
        say("证件号码和电话已脱敏（前6后4）；需要完整号码时用 --unmasked",
            "ID numbers and phones are masked (first 6 / last 4); use --unmasked for full numbers")


def _per_township(month: str, out: Path | None, fmt: str | None, unmasked: bool, yes: bool) -> None:
    """A county's month: 台账-<month>-<township>.xlsx per township in a folder, and 索引-<month>.xlsx listing them."""
    from grid_cli.exports import write_book
    from grid_cli.exports.files import format_for
    from grid_cli.exports.snapshot import townships
    from grid_cli.exports.table import Book, Sheet, Table
    from grid_cli.exports.townships import township_ledgers

    if format_for(None, fmt) != "xlsx":
        raise UsageError("--per-township 只写 .xlsx", "--per-township writes .xlsx only")
    folder = out or Path(f"ledger-{month}")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} 不是文件夹", f"{folder} is not a folder", hint_zh="--out 给一个文件夹",
                         hint_en="give a folder with --out")
    ledger = open_ledger()
    names = townships(ledger)
    if not names:
        raise UsageError("本账本没有下辖乡镇（--per-township 用于县级账本）",
                         "this ledger has no townships under it (--per-township is for a county ledger)")
    if unmasked:
        confirm_unmasked(yes)
    index = []
    for d in township_ledgers(ledger, month, folder, names, unmasked=unmasked):
        grades = d.grades
        index.append([d.township, d.households, d.members, grades["red"], grades["yellow"], grades["green"], d.visited,
                      d.path.name])
        say("  {t}：{h} 户、{p} 人 → {f}", "  {t}: {h} households, {p} people -> {f}", t=d.township, h=d.households,
            p=d.members, f=d.path)
    header = [tr("乡镇", "township"), tr("户数", "households"), tr("人数", "people"), tr("红", "red"), tr("黄", "yellow"),
              tr("绿", "green"), tr("本月已走访", "visited this month"), tr("文件", "file")]
    total = [tr("合计", "total"), *(sum(r[i] for r in index) for i in range(1, 7)), ""]
    table = Table("index", tr(f"{month} 各乡镇台账索引", f"{month}: the townships' ledgers"), header, index + [total])
    book = Book([Sheet(tr("索引", "Index"), [table], main=False)], page_header=f"{month}  村级监测对象网格管理电子台账索引")
    path = write_book(book, folder / f"索引-{month}.xlsx", "xlsx")[0]
    if unmasked:
        note_unmasked(ledger, f"ledger month={month} per-township households={total[1]}")
    say("已写出 {m} 台账：{n} 个乡镇、{h} 户 → {f}（索引 {i}）", "Wrote the {m} ledger: {n} townships, {h} households -> {f} (index {i})",
        m=month, n=len(index), h=total[1], f=folder, i=path.name)
