"""`grid export --redact`: households and members for people outside the chain, with stable pseudonyms.
`grid export --national`: the same in the national system's layout and vocabulary, in full, for entering
corrections upstream. `grid export --parquet DIR`: the ledger as Parquet for analysis (exports/parquet.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import open_ledger, say
from grid_cli.errors import UsageError


def export_command(
    redact: Annotated[bool, typer.Option("--redact", help="去标识：代号代替姓名、证件号码和电话 pseudonyms instead of names, IDs, phones")] = False,
    parquet: Annotated[Optional[Path], typer.Option("--parquet", help="分析用 Parquet：households, members, visits, findings, steps by county/township into DIR (pip install 'grid-cli[analytics]')")] = None,
    national: Annotated[bool, typer.Option("--national", help="全国系统格式（完整信息，记入审计）the national system's layout, in full (audited)")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="写入文件 file to write (.xlsx, .csv or .json)")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="格式 format: xlsx | csv | json (default: from --out, else xlsx)")] = None,
) -> None:
    """去标识导出 — a redacted copy of the households and members for a researcher or an outside auditor;
    --national: the national system's layout, to enter field corrections upstream."""
    if national:
        return _national(out, fmt, redact)
    if parquet is not None:
        return _parquet(parquet)
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


def _parquet(folder: Path) -> None:
    from grid_cli.commands.render import progress_bar
    from grid_cli.exports.parquet import write_parquet
    from grid_cli.i18n import tr

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} 不是文件夹", f"{folder} is not a folder")
    ledger = open_ledger()
    with progress_bar(tr("评估中", "assessing")) as progress:
        counts = write_parquet(ledger, folder, progress=progress)
    say("已写出 Parquet → {f}：{c}", "Wrote Parquet -> {f}: {c}", f=folder,
        c=", ".join(f"{k} {v:,}" for k, v in counts.items()))


def _national(out: Path | None, fmt: str | None, redact: bool) -> None:
    from grid_cli.exports.files import check_target, format_for
    from grid_cli.exports.national import write_national

    if redact:
        raise UsageError("--national 与 --redact 不能同时使用", "--national and --redact do not go together")
    if format_for(out, fmt) != "xlsx":
        raise UsageError("--national 只写 .xlsx", "--national writes .xlsx only", hint_zh="--out 文件名以 .xlsx 结尾",
                         hint_en="name the --out file *.xlsx")
    target = out or Path("监测对象信息.xlsx")
    check_target(target)
    ledger = open_ledger()
    households, members, without = write_national(ledger, target)
    with ledger.write() as w:  # the file holds every ID number and phone in full
        w.audit("export --national", f"households={households} members={members}")
    say("已写出全国系统格式：{h} 户、{p} 人 → {f}（含完整证件号码和电话，请妥善保管）",
        "National layout: {h} households, {p} people -> {f} (full ID numbers and phones: keep it safe)",
        h=households, p=members, f=target)
    if without:
        say("另有 {n} 户没有在册成员，未写出", "{n} household(s) with no active member were not written", n=without)
