"""`grid verify`: check the hash chains of this ledger's change log (its own and every one received)."""

from __future__ import annotations

from typing import Annotated

import typer

from grid_cli.commands.common import console, level_name, open_ledger, print_json, say
from grid_cli.errors import REFUSED
from grid_cli.i18n import tr

REASONS = {"link": ("与前一条接不上", "does not follow on from the one before"),
           "link-removed": ("链接被去掉", "its link was removed"),
           "missing": ("本账本的变更缺失", "this ledger's own change is missing")}


def verify_command(as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False) -> None:
    from rich.table import Table

    from grid_cli.security.chain import verify_chains

    rows = verify_chains(open_ledger())
    broken = [r for r in rows if not r["ok"]]
    if as_json:
        print_json({"ok": not broken, "origins": rows})
    else:
        table = Table(title=tr("变更记录哈希链", "Change-log hash chains"))
        for zh, en in (("来源", "origin"), ("层级", "level"), ("编码", "code"), ("变更", "changes"),
                       ("已核链接", "links checked"), ("缺口", "holes"), ("结果", "result")):
            table.add_column(tr(zh, en))
        for r in rows:
            if r["ok"]:
                verdict = tr("完好", "ok")
            else:
                zh, en = REASONS.get(r["reason"], (r["reason"], r["reason"]))
                verdict = tr("断开：第 {s} 条{w}", "broken at {s}: {w}", s=r["first_bad"], w=tr(zh, en))
            table.add_row(r["origin"][-8:] + (tr("（本账本）", " (this)") if r["self"] else ""), level_name(r["level"]),
                          r["code"] or "", str(r["changes"]), str(r["links"]), str(r["holes"]),
                          f"[red]{verdict}[/]" if not r["ok"] else verdict)
        console.print(table)
        if broken:
            say("{n} 条链断开：账本的变更记录被改动过", "{n} chain(s) broken: the change log was altered", n=len(broken))
        else:
            say("全部完好", "All chains hold")
    if broken:
        raise typer.Exit(REFUSED)
