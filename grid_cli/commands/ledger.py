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
    out: Annotated[Optional[Path], typer.Option("--out", help="写入文件 file to write (default: ./ledger-YYYY-MM.xlsx; json without --out prints)")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="格式 format: xlsx | csv | json (default: from --out, else xlsx)")] = None,
    village: Annotated[Optional[str], typer.Option("--village", help="只看该自然村 only this 自然村")] = None,
    grid: Annotated[Optional[str], typer.Option("--grid", help="只看该网格 only this grid (township and county ledgers)")] = None,
    unmasked: Annotated[bool, typer.Option("--unmasked", help="完整证件号码和电话 full ID numbers and phones (asks; recorded in the audit log)")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再询问 confirm --unmasked without asking")] = False,
) -> None:
    """月度台账 — the month's ledger: households, members, a summary with charts."""
    from grid_cli.clock import today
    from grid_cli.exports import write_book
    from grid_cli.exports.files import check_target, format_for
    from grid_cli.exports.monthly import build_monthly
    from grid_cli.exports.snapshot import month_range

    fmt = format_for(out, fmt)
    month_text = month_range(month or today())[0]
    target = None if out is None and fmt == "json" else (out or Path(f"ledger-{month_text}.{fmt}"))
    if target is not None:
        check_target(target)
    if unmasked:
        confirm_unmasked(yes)
    ledger = open_ledger()
    result = build_monthly(ledger, month_text, village=village, grid=grid, unmasked=unmasked)
    if target is None:
        from grid_cli.exports import textout

        typer.echo(textout.dumps(textout.book_dict(result.book)), nl=False)
        written = []
    else:
        written = write_book(result.book, target, fmt)
    if unmasked:
        note_unmasked(ledger, f"ledger month={month_text} format={fmt} households={result.households}")
    if written:
        say("已写出 {m} 台账：{h} 户、{p} 人 → {f}", "Wrote the {m} ledger: {h} households, {p} people -> {f}",
            m=month_text, h=result.households, p=result.members, f=written[0])
    for path in written[1:]:
        say("  另有 → {f}", "  also -> {f}", f=path)
    if written and not unmasked:
        say("证件号码和电话已脱敏（前6后4）；需要完整号码时用 --unmasked",
            "ID numbers and phones are masked (first 6 / last 4); use --unmasked for full numbers")
