"""The `grid` command: wires each command group explicitly and maps errors to one line + exit code."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from grid_cli import __version__
from grid_cli.commands import common, demo, household, imports, init, ledger, member, monitor, notice, report, risk, rules, visit
from grid_cli.commands import enroll, keys, trust, verify
from grid_cli.commands import export as export_commands
from grid_cli.commands import sync as sync_commands
from grid_cli.errors import DATA, INTERNAL, GridError
from grid_cli.i18n import lang, set_lang, tr


class GridGroup(TyperGroup):
    """Runs a command and turns any error into one plain line and a documented exit code.
    With GRID_DEBUG=1 the traceback is shown instead."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GridError as error:
            if _debug():
                raise
            common.err.print(f"[red]{tr('错误', 'error')}:[/] ", end="", markup=True)
            common.err.print(error.message(lang()), markup=False, soft_wrap=True)
            raise typer.Exit(error.exit_code) from None
        except sqlite3.DatabaseError as error:
            if _debug():
                raise
            common.err.print(tr("错误: 账本文件无法读写（{e}）— 检查文件是否损坏或被占用",
                                "error: the ledger file cannot be read or written ({e}); check it is not damaged or in use",
                                e=error), markup=False, soft_wrap=True)
            raise typer.Exit(DATA) from None
        except OSError as error:  # a folder where a file was expected, a file in use, no permission...
            if _debug():
                raise
            where = f"：{error.filename}" if getattr(error, "filename", None) else ""
            common.err.print(tr("错误: 无法读写文件{w}（{e}）— 检查路径是否正确、是否为文件夹、是否被其他程序占用",
                                "error: cannot read or write the file{w} ({e}); check the path, that it is not a folder "
                                "and that no other program holds it", w=where, e=error.strerror or type(error).__name__),
                             markup=False, soft_wrap=True)
            raise typer.Exit(DATA) from None
        except Exception as error:
            if _debug() or type(error).__module__.startswith("typer") or isinstance(error, (KeyboardInterrupt,)):
                raise
            common.err.print(tr("内部错误（{kind}）— 这是程序缺陷；设置 GRID_DEBUG=1 重新运行可看到详情",
                                "internal error ({kind}): a bug; rerun with GRID_DEBUG=1 for details",
                                kind=type(error).__name__), markup=False, soft_wrap=True)
            raise typer.Exit(INTERNAL) from None


def _debug() -> bool:
    return os.environ.get("GRID_DEBUG") == "1"


app = typer.Typer(
    cls=GridGroup,
    name="grid",
    help="网格监测员的离线台账工具 — offline ledger for village grid monitors (防止返贫动态监测).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain help: ~55 ms faster to start, and no box drawing on old Windows consoles
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"grid {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ledger: Annotated[Optional[Path], typer.Option("--ledger", help="账本文件 ledger file (else $GRID_LEDGER, else the user data dir)")] = None,
    language: Annotated[Optional[str], typer.Option("--lang", help="zh | en (else $GRID_LANG, else the locale)")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    common.state.ledger_option = ledger
    if language is not None and language not in ("zh", "en"):
        raise typer.BadParameter("--lang zh | en")
    set_lang(language)


app.command("init", help="建立本网格账本 — create the ledger for one grid.")(init.init_command)
app.command("info", help="账本概况 — which ledger is in use, its grid, year and threshold.")(init.info_command)
app.add_typer(household.app, name="household", help="农户 — households: add, edit, show, list, search, status.")
app.add_typer(member.app, name="member", help="家庭成员 — members: add, edit, status.")
app.add_typer(imports.app, name="import", help="导入 — import households from Excel/CSV.")
app.command("visit", help="走访 — record a home visit and see the household's findings.")(visit.visit_command)
app.command("risk", help="风险 — flagged households and why (exit 1 if any).")(risk.risk_command)
app.command("due", help="待走访 — who is due for a visit.")(risk.due_command)
app.add_typer(monitor.app, name="monitor", help="监测 — include, helper, measure, end, eliminate.")
app.add_typer(rules.app, name="rules", help="规则 — the year's threshold and rule settings.")
app.add_typer(sync_commands.app, name="sync", help="同步包 — sync bundles: export, merge, inspect, status, conflicts, quarantine, repair, duplicates.")
app.add_typer(keys.app, name="keys", help="密钥 — this ledger's keys: init, show (fingerprints).")
app.add_typer(trust.app, name="trust", help="信任 — enrolment and trusted keys: issue, add, list, revoke, admit.")
app.command("enroll", help="登记 — adopt the enrolment file from the township (or county).")(enroll.enroll_command)
app.command("verify", help="核验 — check the change log's hash chains (exit 1 if broken).")(verify.verify_command)
app.command("export", help="去标识导出 — households and members with stable pseudonyms (--redact).")(export_commands.export_command)
app.command("ledger", help="月度台账 — the month's grid ledger as a print-ready workbook (xlsx/csv/json).")(ledger.ledger_command)
app.command("notice", help="公示名单 — the public-notice list for inclusion or elimination.")(notice.notice_command)
app.add_typer(report.app, name="report", help="报表 — the quarterly analysis (季分析) and its settings.")
app.command("demo", help="演示 — build a ledger from the bundled sample grid and show it.")(demo.demo_command)


def main() -> None:
    import sys

    for stream in (sys.stdout, sys.stderr):  # an old Windows console must not crash on a character
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    app(prog_name="grid")


if __name__ == "__main__":
    main()
