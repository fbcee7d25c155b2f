"""`grid demo`: the main job on the bundled sample grid, start to finish, in a fresh folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import console, say
from grid_cli.i18n import tr


def demo_command(
    folder: Annotated[Optional[Path], typer.Option("--dir", help="演示文件夹 where to write the demo ledger and files (default: ./grid-demo)")] = None,
) -> None:
    from grid_cli.commands.common import grade_label
    from grid_cli.commands.risk import risk_table
    from grid_cli.demo import build_demo
    from grid_cli.exports import write_demo_exports
    from grid_cli.findings import Area, current
    from grid_cli.lists import flagged, summary

    result = build_demo(folder or Path("grid-demo"))
    ledger = result.ledger
    say("演示账本：{p}", "Demo ledger: {p}", p=ledger.path)
    say("从 {f} 导入 {h} 户、{m} 人；记录走访 {v} 次、帮扶步骤 {s} 项",
        "Imported {h} households and {m} members from {f}; recorded {v} visits and {s} assistance steps",
        f=result.source.name, h=result.report.households_added, m=result.report.members_added,
        v=result.visits, s=result.steps)
    stored = current(ledger)
    [counts] = summary(ledger, Area(), "grid")["places"]
    console.print(tr("风险等级：", "Risk grades: ") + "  ".join(
        f"{grade_label(g)} {counts[g]}" for g in ("red", "yellow", "green")))
    red = list(flagged(ledger, Area(), grade="red"))
    console.print(risk_table(stored, red))
    ledger_file, report_file = write_demo_exports(ledger, ledger.path.parent)
    say("本月台账（可直接打印）：{f}", "This month's ledger (print-ready): {f}", f=ledger_file)
    say("本季度分析（含图表）：{f}", "This quarter's analysis (with charts): {f}", f=report_file)
    say("接着试试：grid --ledger {p} risk   |   grid --ledger {p} household show {n}",
        "Try next: grid --ledger {p} risk   |   grid --ledger {p} household show {n}",
        p=ledger.path, n=red[0].hh_no)
