"""What every command shares: the chosen ledger, the consoles, prompting, JSON output, masking."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from grid_cli.errors import GridError, UsageError
from grid_cli.i18n import GRADE_LABEL, lang, tr


@dataclass
class State:
    ledger_option: Path | None = None


state = State()


def _console(name: str):
    """`console` or `err`, the rich Console made when a command first prints (not at start-up: rich is slow
    to import and `grid --help` never prints through it)."""
    made = globals().get(name)
    if made is None:
        from rich.console import Console

        made = globals()[name] = Console(stderr=name == "err", highlight=False)
        if name == "console":  # rich's own ends with exit 1, which here means "findings"
            made.on_broken_pipe = reader_stopped
    return made


def reader_stopped() -> None:
    """The reader of stdout stopped reading (`grid household list | head`): end quietly, exit 0, as cli.py
    does when a JSON stream meets the closed pipe."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    raise SystemExit(0)


def __getattr__(name: str):
    if name in ("console", "err"):
        return _console(name)
    raise AttributeError(name)


def ledger_path() -> tuple[Path, str]:
    from grid_cli.location import resolve

    return resolve(state.ledger_option)


def open_ledger():
    from grid_cli.ledger import Ledger

    path, _source = ledger_path()
    return Ledger.open(path)


def _writable(path: Path | None) -> Path | None:
    """--out is checked as it is parsed, before the command does anything (an import, a merge): a target
    that cannot be written must not leave a command half done."""
    if path is not None:
        from grid_cli.exports.files import check_target

        check_target(path)
    return path


def writable_file_or_folder(path: Path | None) -> Path | None:
    """`_writable` for an --out that may name a folder to write the file into (enrolment and key files)."""
    if path is not None:
        _writable(path / "file" if path.is_dir() else path)
    return path


JsonOutOption = Annotated[Optional[Path], typer.Option(
    "--out", help="写入文件 write the --json output to this file (UTF-8; implies --json)", show_default=False,
    callback=_writable)]


def print_json(value: Any, out: Path | None = None) -> None:
    """The --json output: to the `out` file when given (`--out`), else to stdout."""
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"
    write_json(lambda handle: handle.write(text), out)


def write_json(write: Callable[[Any], Any], out: Path | None = None) -> Any:
    """Call `write(handle)` with a text handle for --json output (print_json, or render.stream_json for a
    streamed list) and return what it returns: the `out` file (UTF-8, through a safe write) when given, else
    stdout. JSON to a file or a pipe is UTF-8 with LF line ends whatever the console and the platform:
    `grid risk --json > r.json` in a GBK console must not write GBK. Only a console itself is written in its
    own encoding (a person reads it there)."""
    if out is not None:
        from grid_cli.exports.files import atomic_write

        result = []

        def to_file(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8", newline="\n") as handle:
                result.append(write(handle))

        written = atomic_write(out, to_file)
        say("已写出 → {f}", "Written -> {f}", f=written)
        return result[0]
    # plain stdout: rich would wrap long lines and colour the JSON
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None or sys.stdout.isatty():
        return write(sys.stdout)
    import io

    sys.stdout.flush()
    handle = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
    try:
        return write(handle)
    finally:
        handle.flush()
        handle.detach()  # stdout's own buffer stays open


def interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask(question: str, parse: Callable[[str], Any], *, default: str | None = None, required: bool = True) -> Any:
    """Prompt until the answer parses; a bad answer is explained and asked again, never saved half-way."""
    import typer

    while True:
        answer = typer.prompt(question, default=default if default is not None else ("" if not required else None),
                              show_default=bool(default))
        answer = str(answer).strip()
        if not answer and not required:
            return None
        try:
            return parse(answer)
        except UsageError as error:
            _console("err").print(error.message(lang()), style="yellow", markup=False, soft_wrap=True)


def need(value: Any, option: str, question: str, parse: Callable[[str], Any] = str) -> Any:
    """A required value: given as an option, else asked for at a terminal, else a usage error."""
    if value not in (None, ""):
        return parse(value) if parse is not str else value
    if interactive():
        return ask(question, parse)
    raise UsageError(f"缺少 {option}", f"missing {option}", hint_zh=f"请加上 {option}", hint_en=f"add {option}")


def parse_pairs(pairs: list[str] | None) -> list[tuple[str, str]]:
    """`--set 户类型=脱贫户` pairs."""
    result = []
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"“{pair}”应写成 字段=值", f"'{pair}' should be written as field=value")
        result.append((key.strip(), value.strip()))
    return result


def yes_no(value: Any) -> str:
    if value is None or value == "":
        return ""
    return tr("是", "yes") if value else tr("否", "no")


def say(zh: str, en: str, **kw) -> None:
    _console("console").print(tr(zh, en, **kw), markup=False)


def warn(zh: str, en: str, **kw) -> None:
    """One line on stderr about something the command could not do; its exit code stays what it was."""
    _console("err").print(tr("注意：", "warning: ") + tr(zh, en, **kw), style="yellow", markup=False, soft_wrap=True)


@contextmanager
def afterwards():
    """What a command does after it has saved something (re-assess, show findings): a failure here is a
    warning, not an exit code. The save stands, and a script that retries on a non-zero exit would save
    it twice."""
    try:
        yield
    except GridError as error:
        warn(error.message("zh"), error.message("en"))


YearOption = Annotated[Optional[int], typer.Option("--year", help="年度 which year (default: the one in force)")]


def year_or_current(ledger, year: int | None) -> int:
    """The year asked for, else the configured year in force today."""
    if year:
        from grid_cli.parse import monitoring_year

        return monitoring_year(year)
    from grid_cli.clock import today
    from grid_cli.findings import year_in_force

    return year_in_force(ledger, today(), required=False)[0]  # a hub without a threshold yet: its own year


def note_unmasked(ledger, what: str) -> None:
    """Record that personal data was shown or written in full: what was done, never whose data."""
    with ledger.write() as w:
        w.audit("unmasked", what)


def field_label(entity: str, field: str) -> str:
    """A field by its official name (户编号, 证件号码 ...), in the language in use; unknown ones as stored."""
    from grid_cli.fields import BY_NAME

    known = BY_NAME.get(entity, {}).get(field)
    return tr(known.zh, known.en) if known else field


_LEVELS = {"grid": ("网格", "grid"), "township": ("乡镇", "township"), "county": ("县", "county")}


def level_name(level: str | None) -> str:
    zh, en = _LEVELS.get(level or "", (level or "", level or ""))
    return tr(zh, en)


def given_fields(entity: str, pairs: list[str] | None, **given) -> dict:
    """The fields a command was given: its own options (those given) and `--set 字段=值` pairs, by field name."""
    from grid_cli.fields import lookup

    raw = {k: v for k, v in given.items() if v not in (None, [], ())}
    for key, value in parse_pairs(pairs):
        raw[lookup(entity, key).name] = value
    return raw


# -- a household's risk, as every command shows it -----------------------------------------------------
STYLE = {"red": "bold red", "yellow": "yellow", "green": "green"}


def grade_label(grade: str) -> str:
    zh, en = GRADE_LABEL[grade]
    return f"[{STYLE[grade]}]{tr(zh, en)}[/]"


def show_findings(findings, grade: str) -> None:
    """One household's findings, worst first, each with the numbers that triggered it."""
    _console("console").print(tr("风险等级：", "Risk grade: ") + grade_label(grade))
    if not findings:
        say("未发现风险", "No risk found")
    for f in findings:
        _console("console").print(f"  [{STYLE[f.grade]}]●[/] ", end="")
        _console("console").print(f.message(lang()), markup=False)


def warn_no_threshold(stored) -> None:
    """A hub before the county's rules arrive has no threshold: say which rules waited for it."""
    if stored.threshold is None:
        warn("{y}年还没有监测标准，收入类规则（低于或接近监测标准、重点关注线、风险消除）未判断"
             " — 合并县里下发的规则同步包，或用 grid rules set threshold 7600 设置",
             "no {y} monitoring threshold yet: the income rules (below or near the threshold, focus line, elimination)"
             " were not run — merge the county's rules bundle, or set one with `grid rules set threshold 7600`",
             y=stored.year)
