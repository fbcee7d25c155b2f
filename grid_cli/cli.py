"""The `grid` command: wires each command group explicitly and maps errors to one line + exit code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from grid_cli import __version__
from grid_cli.commands import common
from grid_cli.errors import DATA, INTERNAL, GridError
from grid_cli.i18n import lang, set_lang, tr

# Every command, in the order `grid --help` lists them: (module in grid_cli.commands, the command function
# or sub-app, its one-line help). A command's module is imported only when that command runs or its own
# help is asked for, so `grid --help` and `grid --version` build nothing they do not print.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("init", "init_command", "建立账本 — create the ledger of a grid, a township or a county."),
    "info": ("init", "info_command", "账本概况 — which ledger is in use, its grid, year and threshold."),
    "visit": ("visit", "visit_command", "走访 — record a home visit and see the household's findings."),
    "risk": ("risk", "risk_command", "风险 — flagged households and why (exit 1 if any)."),
    "due": ("risk", "due_command", "待走访 — who is due for a visit."),
    "enroll": ("enroll", "enroll_command", "登记 — adopt the enrolment file from the township (or county)."),
    "verify": ("verify", "verify_command", "核验 — check the change log's hash chains (exit 1 if broken)."),
    "export": ("export", "export_command", "导出 — households and members: redacted, national layout, Parquet."),
    "ledger": ("ledger", "ledger_command", "月度台账 — the month's ledger, a print-ready workbook."),
    "notice": ("notice", "notice_command", "公示名单 — the public-notice list for inclusion or elimination."),
    "demo": ("demo", "demo_command", "演示 — build a ledger from the bundled sample grid and show it."),
    "household": ("household", "app", "农户 — households: add, edit, show, list, search, status."),
    "member": ("member", "app", "家庭成员 — members: add, edit, status."),
    "import": ("imports", "app", "导入 — import households from Excel/CSV."),
    "monitor": ("monitor", "app", "监测 — the procedure: proposals, reviews, approvals, measures."),
    "rules": ("rules", "app", "规则 — the year's threshold and rule settings."),
    "sync": ("sync", "app", "同步包 — sync bundles: export, merge, inspect, status, conflicts."),
    "keys": ("keys", "app", "密钥 — this ledger's keys: init, show (fingerprints)."),
    "trust": ("trust", "app", "信任 — enrolment and trusted keys: issue, add, list, revoke."),
    "dept": ("dept", "app", "部门名单 — department lists: import, findings, confirm, dismiss."),
    "check": ("check", "app", "数据质量检查 — the data-quality checks (疑点核查): run, list, exempt."),
    "report": ("report", "app", "报表 — the quarterly analysis (季分析) and its settings."),
}


def _load(name: str):
    """The click command for `name`, built from its module when first asked for."""
    from importlib import import_module

    module, attribute, help_text = COMMANDS[name]
    target = getattr(import_module(f"grid_cli.commands.{module}"), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name, group.help = name, help_text
        return group
    single = typer.Typer(rich_markup_mode=None)  # plain, as the root: no box drawing on old Windows consoles
    single.command(name, help=help_text)(target)
    command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """Typer's group, with the commands of COMMANDS loaded on first use and listed from their help lines."""

    def list_commands(self, ctx):
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def get_command(self, ctx, name):
        if name not in self.commands and name in COMMANDS:
            self.commands[name] = _load(name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        from typer._click.utils import make_default_short_help

        limit = formatter.width - 6 - max(len(n) for n in COMMANDS)
        with formatter.section("Commands"):
            formatter.write_dl([(n, make_default_short_help(h, limit)) for n, (_m, _a, h) in COMMANDS.items()])


class GridGroup(LazyGroup):
    """Runs a command and turns any error into one plain line and a documented exit code.
    With GRID_DEBUG=1 the traceback is shown instead."""

    def invoke(self, ctx):
        import sqlite3  # here, not at start-up: `grid --help` never needs it

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
    add_completion=True,  # `grid --install-completion` (bash, zsh, fish, PowerShell): README, "Shell completion"
    rich_markup_mode=None,  # plain help: ~55 ms faster to start, and no box drawing on old Windows consoles
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"grid {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ledger: Annotated[Optional[Path], typer.Option("--ledger", help="账本文件 ledger file（默认 $GRID_LEDGER，再默认用户数据目录 else $GRID_LEDGER, else the user data folder）")] = None,
    language: Annotated[Optional[str], typer.Option("--lang", help="界面语言 language: zh | en（默认 $GRID_LANG，再按系统语言 else $GRID_LANG, else the locale）")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本 show the version")] = False,
) -> None:
    common.state.ledger_option = ledger
    if language is not None and language not in ("zh", "en"):
        raise typer.BadParameter("--lang zh | en")
    set_lang(language)


def main() -> None:
    import sys

    for stream in (sys.stdout, sys.stderr):  # an old Windows console must not crash on a character
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    app(prog_name="grid")


if __name__ == "__main__":
    main()
