"""`grid notice`: the public-notice list 公示名单 for inclusion or risk elimination."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import say


def notice_command(
    stage: Annotated[str, typer.Option("--stage", help="公示阶段 stage: include (识别纳入) | eliminate (风险消除)")],
    out: Annotated[Optional[Path], typer.Option("--out", help="写入文件 file to write (default: ./notice-STAGE-YYYY-MM.xlsx)")] = None,
    month: Annotated[Optional[str], typer.Option("--month", help="月份 households whose village review (or recorded notice) falls in this month (default: this month)")] = None,
    household: Annotated[Optional[list[str]], typer.Option("--household", "-H", help="指定户 this 户编号 (repeat for several) instead of --month")] = None,
    start: Annotated[Optional[str], typer.Option("--start", help="公示开始日期 first day of the notice (default: the recorded notice date, else today)")] = None,
    days: Annotated[Optional[int], typer.Option("--days", help="公示天数 length of the notice period (default and least: the year's notice.days, 5 unless the county set it)")] = None,
    village: Annotated[Optional[str], typer.Option("--village", help="只看该自然村 only this 自然村")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="监督电话 the supervision phone printed on the notice (an office number)")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="格式 format: xlsx | csv | json (default: from --out, else xlsx)")] = None,
) -> None:
    """公示名单 — the notice for the village board: the households whose case passed the village review (民主评议).

    不含证件号码、电话、银行账号和健康状况 no ID numbers, phones, bank accounts or health status."""
    from grid_cli.commands.common import open_ledger
    from grid_cli.exports import write_book
    from grid_cli.exports.files import check_target, format_for
    from grid_cli.exports.notice import build_notice

    fmt = format_for(out, fmt)
    if out is not None:
        check_target(out)
    ledger = open_ledger()
    notice = build_notice(ledger, stage, month=month, households=household or (), start=start, days=days,
                          village=village, contact=contact)
    path = out or Path(f"notice-{stage}-{notice.start:%Y-%m}.{fmt}")
    written = write_book(notice.book, path, fmt)
    say("已写出公示名单：{n} 户，公示期 {a} 至 {b} → {f}", "Wrote the notice: {n} households, {a} to {b} -> {f}",
        n=notice.households, a=notice.start, b=notice.end, f=written[0])
