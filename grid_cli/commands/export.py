"""`grid export --redact`: households and members for people outside the chain, with stable pseudonyms."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import open_ledger, say
from grid_cli.errors import UsageError


def export_command(
    redact: Annotated[bool, typer.Option("--redact", help="去标识：代号代替姓名、证件号码和电话 pseudonyms instead of names, IDs, phones")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="写入文件 file to write (.xlsx, .csv or .json)")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="格式 format: xlsx | csv | json (default: from --out, else xlsx)")] = None,
) -> None:
    """去标识导出 — a redacted copy of the households and members for a researcher or an outside auditor."""
    from grid_cli.exports import write_book
    from grid_cli.exports.files import check_target, format_for
    from grid_cli.security.keys import load_keys
    from grid_cli.security.redact import redacted_book

    if not redact:
        raise UsageError("grid export 只做去标识导出，请加 --redact（正式台账用 grid ledger）",
                         "grid export writes redacted copies only: add --redact (official ledgers: `grid ledger`)")
    fmt = format_for(out, fmt)
    target = out or Path(f"redacted.{fmt}")
    check_target(target)
    ledger = open_ledger()
    book = redacted_book(ledger, load_keys(ledger))
    written = write_book(book, target, fmt)
    with ledger.write() as w:
        w.audit("export --redact", f"format={fmt} households={len(book.table('households').rows)}")
    say("已写出去标识数据：{h} 户、{p} 人 → {f}", "Redacted export: {h} households, {p} people -> {f}",
        h=len(book.table("households").rows), p=len(book.table("members").rows), f=written[0])
    for path in written[1:]:
        say("  另有 → {f}", "  also -> {f}", f=path)
