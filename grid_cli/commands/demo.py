"""`grid demo`: the main job on the bundled sample grid, start to finish, in a fresh folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import console, say
from grid_cli.i18n import tr


def demo_command(
    folder: Annotated[Optional[Path], typer.Option("--dir", help="where to write the demo ledger and files (default: ./grid-demo)")] = None,
) -> None:
    from grid_cli import households
    from grid_cli.commands.render import household_table
    from grid_cli.demo import build_demo

    result = build_demo(folder or Path("grid-demo"))
    say("演示账本：{p}", "Demo ledger: {p}", p=result.ledger.path)
    say("从 {f} 导入 {h} 户、{m} 人", "Imported {h} households and {m} members from {f}",
        f=result.source.name, h=result.report.households_added, m=result.report.members_added)
    rows = households.list_households(result.ledger)
    console.print(household_table(rows, tr("样例网格：共 {n} 户", "Sample grid: {n} households", n=len(rows))))
    from grid_cli.exports import write_demo_exports

    ledger_file, report_file = write_demo_exports(result.ledger, result.ledger.path.parent)
    say("本月台账（可直接打印）：{f}", "This month's ledger (print-ready): {f}", f=ledger_file)
    say("本季度分析（含图表）：{f}", "This quarter's analysis (with charts): {f}", f=report_file)
    say("下一步：grid --ledger {p} household show {n}", "Next: grid --ledger {p} household show {n}",
        p=result.ledger.path, n=rows[0]["hh_no"])
