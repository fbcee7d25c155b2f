"""Shared fixtures: a CLI runner, an initialised ledger on disk, official-layout workbooks, a ledger digest.

Generic on purpose (other test modules use them too): `ledger_path` is a fresh, initialised grid ledger;
`run` invokes `grid` in-process through typer's CliRunner; `make_id` builds valid ID numbers;
`workbook` writes an official-layout .xlsx; `digest` fingerprints every table's content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

from grid_cli.cli import app
from grid_cli.i18n import set_lang
from synckit import GRID, enrol_cli, grid

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
TODAY = "2026-11-22"

# Member-level official columns, in the order real exports use.
MEMBER_HEADERS = ["序号", "自然村", "户编号", "姓名", "性别", "证件号码", "与户主关系", "民族", "健康状况", "劳动技能",
                  "务工时间（月）", "是否参加城乡居民基本医疗保险", "联系电话", "户类型", "监测对象类别"]


def make_id(birth: str = "19700305", seq: int = 11, area: str = "520102") -> str:
    """A valid 18-character ID; odd seq -> male, even -> female."""
    body = f"{area}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def wrong_check(number: str) -> str:
    """The same number with a different (wrong) check character."""
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No test sees the developer's ledger, language or clock; the language is reset after each run."""
    for var in ("GRID_LEDGER", "GRID_LANG", "GRID_DEBUG", "GRID_WORKERS", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GRID_TODAY", TODAY)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    set_lang(None)
    yield
    set_lang(None)


class Run:
    """`run(*args)` -> click Result; `.out`, `.err`, `.code`."""

    def __init__(self, ledger: Path | None = None):
        self.runner = CliRunner()
        self.ledger = ledger

    def __call__(self, *args: str, lang: str = "en", ledger: Path | None | bool = True, input: str | None = None):
        argv = ["--lang", lang]
        target = self.ledger if ledger is True else (ledger or None)
        if target:
            argv += ["--ledger", str(target)]
        result = self.runner.invoke(app, [*argv, *map(str, args)], input=input)
        set_lang(None)
        return result


INIT_ARGS = ["init", "--grid", "G1", "--village", "青石村", "--township", "桃溪镇", "--county", "云岭县",
             "--monitor", "李秀兰", "--phone", "13908761234"]


@pytest.fixture
def ledger_path(tmp_path) -> Path:
    """A freshly initialised grid ledger (2026 threshold 7600) in tmp_path."""
    path = tmp_path / "ledger.db"
    result = Run(path)(*INIT_ARGS, "--threshold", "7600")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def run(ledger_path) -> Run:
    """The CLI bound to `ledger_path`."""
    return Run(ledger_path)


@pytest.fixture
def bare_run() -> Run:
    """The CLI with no --ledger given."""
    return Run(None)


def write_workbook(path: Path, sheets: dict[str, tuple[list[str], list[list]]], *, title: str | None = "家庭成员信息表"
                   ) -> Path:
    """An .xlsx with one sheet per entry: an optional merged title row, then the header, then rows."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, (headers, rows) in sheets.items():
        sheet = book.create_sheet(name)
        if title:
            sheet.append([title])
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def member_row(hh_no: str, name: str, number: str, relation: str, *, sex: str | None = None, village: str = "上寨",
               phone: str = "", hh_type: str = "一般农户", category: str = "", health: str = "健康",
               months: int = 0, insured: str = "是") -> list:
    if sex is None:
        sex = "男" if int(number[16]) % 2 else "女"
    return [None, village, hh_no, name, sex, number, relation, "汉族", health, "普通劳动力", months, insured, phone,
            hh_type, category]


def good_rows() -> list[list]:
    """Three clean households, six members."""
    return [
        member_row("A001", "张大山", make_id("19700305", 11), "户主", phone="13912345678", hh_type="脱贫户"),
        member_row("A001", "李小花", make_id("19720811", 22), "配偶", hh_type="脱贫户"),
        member_row("A002", "王老五", make_id("19550101", 31), "户主", phone="13900000000"),
        member_row("A003", "郑八", make_id("19750101", 15), "户主", phone="13900000005", category="边缘易致贫户"),
        member_row("A003", "郑九", make_id("20100101", 16), "之女", category="边缘易致贫户"),
        member_row("A003", "郑十", make_id("20120101", 17), "之子", category="边缘易致贫户"),
    ]


MONITORING_HEADERS = ["识别监测时间", "致贫/返贫风险1", "风险是否已消除", "风险消除方式", "消除监测时间"]


def monitored_book(path: Path, states: dict[str, list]) -> Path:
    """good_rows() with the national system's monitoring columns, e.g. {"A001": ["20260105", "因病"]} (monitored,
    as imported: approved there) or ["20250105", "因病", "是", "帮扶消除", "202509"] (risk eliminated). A household
    given a state and no 监测对象类别 gets 边缘易致贫户 (the import refuses 识别监测时间 without one)."""
    rows = [r[:14] + [r[14] or ("边缘易致贫户" if r[2] in states else "")] + (states.get(r[2], []) + [""] * 5)[:5]
            for r in good_rows()]
    return write_workbook(path, {"成员": (MEMBER_HEADERS + MONITORING_HEADERS, rows)})


@pytest.fixture
def workbook(tmp_path) -> Callable[..., Path]:
    """workbook(rows, name=..., headers=MEMBER_HEADERS, title=...) -> path of a member-level .xlsx."""
    counter = iter(range(1000))

    def build(rows: list[list] | None = None, *, name: str | None = None, headers: list[str] = MEMBER_HEADERS,
              title: str | None = "家庭成员信息表", sheet: str = "家庭成员") -> Path:
        path = tmp_path / (name or f"book{next(counter)}.xlsx")
        return write_workbook(path, {sheet: (headers, good_rows() if rows is None else rows)}, title=title)

    return build


def digest(path: Path, skip: tuple[str, ...] = ()) -> str:
    """sha256 over the sorted canonical rows of every table (but `skip`): equal iff the ledger's content is equal."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'") if r[0] not in skip)
        h = hashlib.sha256()
        for name in names:
            rows = sorted(json.dumps(list(r), ensure_ascii=False, default=str) for r in conn.execute(f'SELECT * FROM "{name}"'))
            h.update(json.dumps([name, rows], ensure_ascii=False).encode())
        return h.hexdigest()
    finally:
        conn.close()


def rows_of(path: Path, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def count(path: Path, table: str) -> int:
    return rows_of(path, f"SELECT count(*) AS n FROM {table}")[0]["n"]


def today() -> dt.date:
    return dt.date.fromisoformat(TODAY)


def leaf_commands(skip: tuple = ()) -> list[tuple[tuple[str, ...], object]]:
    """Every command `grid` runs, as (path, click command), loading the lazy command table's groups."""
    from typer.main import get_command

    def walk(command, path):
        if hasattr(command, "list_commands"):
            if path and command.invoke_without_command and path not in skip:  # `grid check` runs as well as groups
                yield path, command
            for name in command.list_commands(None):
                yield from walk(command.get_command(None, name), (*path, name))
        elif path not in skip:
            yield path, command
    return list(walk(get_command(app), ()))


# -- sync: a county, its township and two grids, enrolled along the tree (tests/synckit.py) ----------
@pytest.fixture
def tree(tmp_path):
    """County C with township T1 (grids G1, G2) and grid ledgers G1, G2, each with households."""
    p = {name: str(tmp_path / f"{name}.db") for name in ("C", "T1", "G1", "G2")}
    grid(tmp_path, "--ledger", p["C"], "init", "--level", "county", "--county", "C", "--townships", "T1",
         "--threshold", "7600", "--year", "2026")
    grid(tmp_path, "--ledger", p["T1"], "init", "--level", "township", "--township", "T1", "--county", "C",
         "--grids", "G1,G2", "--year", "2026")
    for g in ("G1", "G2"):
        grid(tmp_path, "--ledger", p[g], "init", "--grid", g, *GRID)
        for n in range(3):
            grid(tmp_path, "--ledger", p[g], "household", "add", "--hh-no", f"{g}0{n}", "--head", f"户主{n}")
    p["dir"] = tmp_path
    for parent, child in (("T1", "G1"), ("T1", "G2"), ("C", "T1")):
        enrol_cli(p, parent, child)
    return p


# The sample grid, for the export tests and others: built once per session with the clock pinned, copied per test.
@pytest.fixture(scope="session")
def _demo_master(tmp_path_factory) -> Path:
    from grid_cli.demo import build_demo

    folder = tmp_path_factory.mktemp("demo-master")
    before = os.environ.get("GRID_TODAY")
    os.environ["GRID_TODAY"] = TODAY
    try:
        result = build_demo(folder)
        result.ledger.close()
    finally:
        if before is None:
            os.environ.pop("GRID_TODAY", None)
        else:
            os.environ["GRID_TODAY"] = before
    return folder / "demo.db"


@pytest.fixture
def demo_db(_demo_master, tmp_path) -> Path:
    """A private copy of the sample grid's ledger (60 households, visits, lifecycle steps; today 2026-11-22)."""
    target = tmp_path / "demo.db"
    shutil.copy(_demo_master, target)
    return target


@pytest.fixture
def hub_db(demo_db) -> Path:
    """The sample as a township hub ledger: its households spread over two grids."""
    conn = sqlite3.connect(demo_db)
    with conn:
        conn.execute("UPDATE meta SET value = '\"township\"' WHERE key = 'level'")
        conn.execute("UPDATE households SET grid = CASE WHEN village IN ('上寨', '下寨') THEN 'TX-01' ELSE 'TX-02' END")
    conn.close()
    return demo_db
