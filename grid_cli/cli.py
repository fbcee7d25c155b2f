"""The `grid` command: wires each command group explicitly and maps errors to one line + exit code."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from grid_cli import __version__
from grid_cli.commands import common
from grid_cli.errors import DATA, INTERNAL, REFUSED, USAGE, GridError
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
    single = typer.Typer(add_completion=False, rich_markup_mode=None)  # plain, as the root; completion is the root's
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

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, windows_expand_args=True,
             **extra):
        """Click's own main, except that what it would print as a usage error (its usage line, a hint and the
        error: three lines) is one line here, and arguments that are not text are refused before parsing."""
        from typer import _click

        if args is None:
            args = sys.argv[1:]
            if os.name == "nt" and windows_expand_args:  # what click does for a Windows shell, which expands nothing
                args = _click.utils._expand_args(args)
        args = list(args)
        if "--lang" in args[:-1] and args[args.index("--lang") + 1] in ("zh", "en"):
            set_lang(args[args.index("--lang") + 1])  # errors met before the root callback runs speak it too
        try:
            _check_args(args)
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except GridError as error:
            if _debug():
                raise
            _say(error.message(lang()))
            code = error.exit_code
        except _click.exceptions.NoArgsIsHelpError as error:  # `grid sync`: the group's help, as click shows it
            error.show()
            code = error.exit_code
        except _click.exceptions.ClickException as error:
            _say(_usage_line(error, self._command_path(args)))
            code = error.exit_code
        except typer.Abort:  # end of input at a prompt
            _say(tr("输入中断，未作任何改动", "input ended; nothing was changed"))
            code = REFUSED
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code

    def _command_path(self, args: list[str]) -> str:
        """`grid sync merge` for the arguments given (for a usage error that does not name its command)."""
        path, command = ["grid"], self
        for arg in args:
            sub = command.get_command(None, arg) if hasattr(command, "get_command") else None  # loads a lazy one
            if sub is not None:
                path.append(arg)
                command = sub
        return " ".join(path)

    def invoke(self, ctx):
        import sqlite3  # here, not at start-up: `grid --help` never needs it

        try:
            try:
                return super().invoke(ctx)
            finally:  # here, however the command ends, so a reader that stopped is met below, not at exit
                sys.stdout.flush()
        except GridError as error:
            if _debug():
                raise
            _say(error.message(lang()))
            raise typer.Exit(error.exit_code) from None
        except sqlite3.DatabaseError as error:
            if _debug():
                raise
            from grid_cli.errors import ledger_error

            try:
                path = common.ledger_path()[0]
            except GridError:
                path = Path("?")
            _say(ledger_error(error, path).message(lang()))
            raise typer.Exit(DATA) from None
        except OSError as error:  # a folder where a file was expected, a file in use, no permission, a full disk...
            if _debug():
                raise
            if _reader_gone(error):  # `| head` stopped reading: no error
                common.reader_stopped()
            from grid_cli.errors import disk_error

            _say(disk_error(error, error.filename, writing=False).message(lang()))
            raise typer.Exit(DATA) from None
        except UnicodeEncodeError as error:  # text that was not UTF-8 (surrogate escapes) met SQLite or a file
            if _debug() or "surrogate" not in str(error):
                raise
            _say(tr("输入中有不是 UTF-8 编码的文字 — 把终端和文件都设为 UTF-8 后重试",
                    "the input holds text that is not UTF-8; set the terminal and the files to UTF-8 and retry"))
            raise typer.Exit(USAGE) from None
        except Exception as error:
            if _debug() or type(error).__module__.startswith("typer") or isinstance(error, (KeyboardInterrupt,)):
                raise
            _say(tr("内部错误（{kind}）— 这是程序缺陷；设置 GRID_DEBUG=1 重新运行可看到详情",
                    "internal error ({kind}): a bug; rerun with GRID_DEBUG=1 for details", kind=type(error).__name__))
            raise typer.Exit(INTERNAL) from None


def _reader_gone(error: OSError, platform: str = sys.platform) -> bool:
    """Whether a failed write means stdout's reader stopped reading: a broken pipe, which Windows reports as
    EINVAL (CPython issue 79935), on a stdout that is a pipe."""
    import errno

    broken = isinstance(error, BrokenPipeError) or (platform == "win32" and error.errno == errno.EINVAL)
    return broken and _stdout_is_pipe()


def _stdout_is_pipe() -> bool:
    """Whether stdout is a pipe or a socket: a broken pipe there is its reader stopping."""
    import stat

    try:
        mode = os.fstat(sys.stdout.fileno()).st_mode
        return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)
    except (OSError, ValueError, AttributeError):  # no real stdout (a test's runner)
        return False


def _say(message: str) -> None:
    """One line on stderr: "error: ..." (a long line is not wrapped, so it stays one line)."""
    common.err.print(f"[red]{tr('错误', 'error')}:[/] ", end="", markup=True)
    # a value typed with a line break in it (allowed in free text) is echoed as \n: the error stays one line
    common.err.print(message.replace("\r", "\\r").replace("\n", "\\n"), markup=False, soft_wrap=True)


def _usage_line(error, command_path: str) -> str:
    """Click's usage error as one line with what to do (see `grid visit --help`)."""
    from typer import _click

    ex = _click.exceptions
    text = error.format_message()
    param = getattr(error, "param", None)
    if param is not None:
        try:
            hint = param.get_error_hint()
        except TypeError:  # click's own signature
            hint = param.get_error_hint(error.ctx)
    if isinstance(error, ex.MissingParameter) and param is not None:
        text = tr("缺少 {h}", "missing {h}", h=hint)
    elif lang() == "zh":
        if isinstance(error, ex.NoSuchOption):
            text = f"没有选项 {error.option_name}" + (f"（是否想用 {'、'.join(error.possibilities)}？）" if error.possibilities else "")
        elif isinstance(error, ex.BadParameter) and param is not None:
            text = f"{hint} 的值不对：{error.message}"
        elif isinstance(error, ex.BadOptionUsage) and "requires an argument" in error.message:
            text = f"选项 {error.option_name} 后面需要给出值"
        elif text.startswith("No such command"):
            text = "没有这个命令：" + text.split("'")[1] if "'" in text else text
        elif text.startswith("Got unexpected extra argument"):
            text = "多余的参数：" + text.rpartition("(")[2].rstrip(")")
    if not isinstance(error, ex.UsageError):
        return text
    ctx = getattr(error, "ctx", None)
    return tr("{t} — 见 {c} --help", "{t} — see `{c} --help`", t=text, c=ctx.command_path if ctx else command_path)


def _check_args(args: list[str]) -> None:
    """Arguments that are not text are refused before anything runs: bytes that were not UTF-8 (a GBK
    console: on POSIX they arrive as surrogate escapes) and control characters (tab and newline are text)."""
    from grid_cli.errors import UsageError
    from grid_cli.parse import bad_char

    named = []
    for i, arg in enumerate(args):
        option = arg.split("=", 1)[0] if arg.startswith("--") else args[i - 1] if i and args[i - 1].startswith("-") else ""
        named.append((tr("第 {n} 个参数", "argument {n}", n=i + 1) + (tr("（{o}）", " ({o})", o=option) if option else ""), arg))
    named += [(tr("环境变量 {v}", "${v}", v=var), os.environ[var]) for var in ("GRID_LEDGER", "GRID_LANG") if var in os.environ]
    for name, arg in named:
        char = bad_char(arg)
        if char is None:
            continue
        if char.startswith("\\ud"):
            def gbk(run):  # the bytes POSIX could not read as UTF-8, read as the GBK they most likely are
                try:
                    return run.group().encode("utf-8", "surrogateescape").decode("gb18030", "replace")
                except UnicodeError:
                    return "?"

            guess = tr("（按 GBK 读是“{g}”）", " (read as GBK: '{g}')", g=re.sub("[\ud800-\udfff]+", gbk, arg))
            raise UsageError(f"{name}不是 UTF-8 编码的文字{guess}", f"{name} is not UTF-8 text{guess}",
                             hint_zh="把终端设为 UTF-8（Windows：chcp 65001）后重新输入",
                             hint_en="set the terminal to UTF-8 (on Windows: chcp 65001) and type it again")
        raise UsageError(f"{name}含有控制字符 {char}（看不见的字符，多由复制粘贴带入）",
                         f"{name} holds the control character {char} (invisible, usually pasted in)",
                         hint_zh="删去后重新输入", hint_en="remove it and type it again")


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


# What a console that cannot show a character (a GBK or an old English Windows console) shows instead,
# best first: a bullet stays a bullet where it can, never a bare '?'.
FALLBACKS = {"•": ("·", "*"), "●": ("*",), "−": ("-",), "–": ("-",), "—": ("-",), "✓": ("√", "v"), "√": ("v",),
             "⇔": ("<->",), "→": ("->",), "≤": ("<=",), "≥": (">=",), "×": ("x",), "…": ("...",), "·": (".",),
             "“": ('"',), "”": ('"',), "█": ("#",)}


def _fallback(error: UnicodeError):
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start:error.end]:
        for candidate in FALLBACKS.get(char, ()):
            try:
                candidate.encode(error.encoding)
            except UnicodeError:
                continue
            out.append(candidate)
            break
        else:
            out.append("?")
    return "".join(out), error.end


def main() -> None:
    import codecs

    codecs.register_error("grid.fallback", _fallback)
    for stream in (sys.stdout, sys.stderr):  # an old Windows console must not crash on a character
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="grid.fallback")
    app(prog_name="grid")


if __name__ == "__main__":
    main()
