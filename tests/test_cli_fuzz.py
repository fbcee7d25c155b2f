"""Fuzz of the whole command line (issue 12): every command's options and arguments, import files, visit files,
bundles (byte-flipped, and hostile content signed with a real enrolled key) and the JSON files the tool reads,
each a mutation of a valid one. For every input:

- the exit code is one the README documents (0 ok, 1 findings or refused, 2 usage, 3 environment), never 4;
- no traceback, and no 'Exception ignored' from a half-collected writer;
- a failure (exit 2 or 3) says so in exactly one line on stderr;
- a command that did not succeed left the ledger as it was (a digest of every table's rows, not the bytes);
- after a hostile bundle that was merged, the township's own commands still work.

CI runs a fixed set of examples (derandomize, as tests/test_sync_property.py does): a run fails only for a
change, never for luck. `pytest -m slow` runs ten times as many, freshly random. The sample grid and a
township enrolled with it are built once; every example works on copies in its own folder.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis import given
from typer.testing import CliRunner

from conftest import TODAY, digest, leaf_commands, make_id
from grid_cli.cli import app
from grid_cli.i18n import set_lang

# No shrinking: a failure reports the whole command line it ran, and shrinking one through a CLI takes minutes.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
CI = settings(max_examples=1, deadline=None, derandomize=True, database=None, phases=PHASES,
              suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=1, deadline=None, database=None, phases=PHASES, suppress_health_check=list(HealthCheck))
# examples per fuzz in CI; `slow` runs ten times as many
EXAMPLES = {"options": 120, "visit_files": 30, "import_files": 30, "bundle_bytes": 20, "bundle_content": 15,
            "json_files": 25}

GBK = "张三".encode("gbk").decode("utf-8", "surrogateescape")  # a GBK console's bytes as POSIX hands them on
HOSTILE_TEXT = ["", " ", "\t", "\n", "x" * 5000, "\x01", "a\x00b", "\x1b[2J\x1b[31m红", "\u202e123", "😀", "\ud800", GBK,
                "'; DROP TABLE households; --", "=HYPERLINK(\"http://x\")", "%s%n%x", "null",
                "[]", "{}", "\\", '"', "NaN", "-1", "1e999", "９９", "２０２６年１１月", "0x10", "\u00a0", "\ufeff"]
DATES = ["2026-11-20", "2026-11-22", "2026-03-17", "2027-01-01", "2026-02-30", "20261120", "2026年11月20日", "2026/11/20",
         "0000-01-01", "9999-12-31", "2019-12-31", "yesterday", "11/20"]
MONTHS = ["2026-11", "2026-03", "2026-13", "0000-01", "202611", "2026年11月", "9999-12", "2019-01"]
MONEY = ["0", "1200", "6,240", "6240元", "-5", "1e12", "abc", "nan", "inf", "99999999999999999999", "0.5"]
INTS = ["0", "1", "5", "30", "-1", "99999999999", "9" * 30, "abc", "1.5", " 7"]
FLOATS = ["24", "0", "-1", "nan", "inf", "1e308", "x", "0.001"]


@dataclass(repr=False)
class World:
    """What every example starts from (built once): the sample grid's ledger (with keys), a township enrolled
    with it, a bundle each way, and valid files of every kind the tool reads."""

    dir: Path
    grid: Path
    township: Path
    fresh: Path  # the township before it merged the grid's first bundle
    households: list[str]
    members: list[str]
    step: str
    rows: list[list]  # the first rows of the sample's official sheet, the title and header included
    files: dict[str, Path] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"World({self.dir})"


@contextlib.contextmanager
def chdir(folder: Path):
    """contextlib.chdir, which Python 3.10 lacks."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _cli(*args, ledger: Path | None = None, ok: bool = True):
    argv = ["--lang", "en", *(["--ledger", str(ledger)] if ledger else []), *map(str, args)]
    result = CliRunner().invoke(app, argv)
    set_lang(None)
    if ok:
        assert result.exit_code == 0, (argv, result.output)
    return result


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    return build_world(tmp_path_factory.mktemp("fuzz-world"))


def build_world(folder: Path) -> World:
    from grid_cli.demo import build_demo

    before = os.environ.get("GRID_TODAY")
    os.environ["GRID_TODAY"] = TODAY
    try:
        built = build_demo(folder / "g")
        built.ledger.close()
        grid = folder / "g" / "demo.db"
        _cli("keys", "init", ledger=grid)
        township = folder / "t.db"
        _cli("init", "--level", "township", "--township", "桃溪镇", "--county", "云岭县", "--grids", "GZ-TX-03",
             "--year", "2026", ledger=township)
        _cli("trust", "issue", "GZ-TX-03", "--out", folder / "enrol.json", ledger=township)
        _cli("enroll", folder / "enrol.json", "--out", folder / "public.json", ledger=grid)
        _cli("trust", "add", folder / "public.json", ledger=township)
        _cli("rules", "set", "threshold", "7600", "--year", "2026", ledger=township)  # so risk and reports run there
        _cli("sync", "export", "--out", folder / "up.zip", ledger=grid)
        for suffix in ("", ".key"):  # the township before it takes the grid's bundle: what hostile bundles meet
            shutil.copy(str(township) + suffix, str(folder / "t0.db") + suffix)
        with chdir(folder):
            _cli("sync", "merge", folder / "up.zip", ledger=township)
            _cli("monitor", "measure", "52999903010004", "--kind", "金融帮扶", "--detail", "小额信贷", "--amount", "30000",
                 "--due", "2027-10-31", ledger=township)
            _cli("sync", "export", "--for", "GZ-TX-03", "--out", folder / "down.zip", ledger=township)
            _cli("sync", "export", "--out", folder / "up2.zip", ledger=grid)
    finally:
        if before is None:
            os.environ.pop("GRID_TODAY", None)
        else:
            os.environ["GRID_TODAY"] = before
    import sqlite3

    conn = sqlite3.connect(grid)
    households = [r[0] for r in conn.execute("SELECT hh_no FROM households ORDER BY hh_no LIMIT 6")]
    members = [r[0] for r in conn.execute("SELECT name FROM members ORDER BY name LIMIT 4")]
    step = conn.execute("SELECT id FROM event_index WHERE kind != 'visit' LIMIT 1").fetchone()[0]
    conn.close()
    files, rows = _valid_files(folder)
    files.update({"up": folder / "up.zip", "down": folder / "down.zip", "enrol": folder / "enrol.json",
                  "public": folder / "public.json"})
    return World(folder, grid, township, folder / "t0.db", households, members, step[-8:], rows, files)


def _valid_files(folder: Path) -> tuple[dict[str, Path], list[list]]:
    from grid_cli.resources import samples_dir

    files = {"xlsx": samples_dir() / "households.xlsx"}
    visit = {"date": "2026-11-20", "visitor": "李秀兰", "channel": "入户",
             "income": {"wages": 30000, "business": 4000, "property": 0, "transfer": 2400, "production_costs": 1500},
             "spending": {"medical": 2600, "other_rigid": 0}, "house_grade": "C",
             "water": {"litres_per_person_day": 30, "dry_area": False, "piped": False, "trip_minutes": 25,
                       "cut_days": 10, "quality_ok": True},
             "events": [{"type": "disaster", "subtype": "洪涝", "cost": 8000, "detail": "屋后塌方"}],
             "needs": "助学帮扶", "notes": "第一行\n第二行"}
    files["visit"] = folder / "visit.json"
    files["visit"].write_text(json.dumps(visit, ensure_ascii=False), encoding="utf-8")
    files["rules"] = folder / "county-2026.json"
    files["rules"].write_text(json.dumps({"year": 2026, "threshold": 7600, "rules": {"income_fall": {"share": 0.25}}}),
                              encoding="utf-8")
    files["garbage"] = folder / "garbage.bin"
    files["garbage"].write_bytes(bytes(range(256)) * 4)
    files["csv"] = folder / "households.csv"
    from openpyxl import load_workbook

    book = load_workbook(files["xlsx"], read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)][:12]
    with files["csv"].open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return files, rows


# -- one example ----------------------------------------------------------------------------------------
class Example:
    """A private folder with copies of the world's ledgers; runs commands there and checks each result."""

    def __init__(self, world: World):
        self.world = world
        self.dir = Path(tempfile.mkdtemp(prefix="grid-fuzz-"))
        self.grid = self.dir / "g.db"
        self.township = self.dir / "t.db"
        self.fresh = self.dir / "t0.db"
        for src, dst in ((world.grid, self.grid), (world.township, self.township), (world.fresh, self.fresh)):
            shutil.copy(src, dst)
            shutil.copy(src.with_name(src.name + ".key"), dst.with_name(dst.name + ".key"))
        self.fifo = self.dir / "pipe.xlsx"
        if hasattr(os, "mkfifo"):
            os.mkfifo(self.fifo)
        (self.dir / "exists.xlsx").write_bytes(b"old")
        (self.dir / "folder").mkdir()
        self.files = {}  # copies of the valid inputs: nothing an example does reaches the world's (or the repo's)
        for name, src in world.files.items():
            self.files[name] = self.dir / f"in-{name}{src.suffix}"
            shutil.copy(src, self.files[name])

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, argv: list, ledger: Path | None, *, note: str = "", whole: bool = True) -> object:
        """Run `grid --ledger LEDGER argv` here and check everything the module's note promises (not
        `whole`: a failure may have changed the ledger, as a merge of several bundles takes each whole or
        refuses it whole, exit 1 when any was refused)."""
        before = _digest(ledger)
        unraisable: list = []
        hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
        try:
            with chdir(self.dir):
                full = ["--lang", "en", *(["--ledger", str(ledger)] if ledger is not None else []), *map(str, argv)]
                result = CliRunner().invoke(app, full, input="")
        finally:
            sys.unraisablehook = hook
            set_lang(None)
        shown = f"{note} grid {' '.join(map(repr, full))}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"escaped {type(result.exception).__name__}: {result.exception}\n{shown}"
        assert result.exit_code in (0, 1, 2, 3), f"exit {result.exit_code}\n{shown}"
        assert "Traceback" not in result.output and "Exception ignored" not in result.output, shown
        assert not unraisable, f"unraisable {unraisable[0].exc_value!r}\n{shown}"
        if result.exit_code >= 2:
            assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1, shown
        if result.exit_code != 0 and before is not None and whole:
            assert _digest(ledger) == before, f"ledger changed although the command failed\n{shown}"
        return result


# The stored findings (migration 8) are a cache of the rules' verdicts that any reading command may bring up
# to date (`grid risk` exits 1 for its findings, having refreshed them): not the ledger's content.
DERIVED = ("assessed", "findings", "findings_basis")


def _digest(ledger: Path | None) -> str | None:
    import sqlite3

    try:
        return digest(ledger, skip=DERIVED) if ledger is not None and ledger.is_file() else None
    except sqlite3.DatabaseError:  # not a ledger (a fuzzed --ledger): nothing to keep unchanged
        return None


@contextlib.contextmanager
def example(world: World):
    ex = Example(world)
    try:
        yield ex
    finally:
        ex.close()


# -- 1. every command's options and arguments ---------------------------------------------------------------
COMMANDS = leaf_commands(skip=(("demo",),))  # demo builds a whole sample ledger: run by tests/test_demo.py


def _pools(world: World, ex: Example) -> dict[str, list]:
    """Values worth trying, by option or argument name: valid ones, near misses, and the hostile text."""
    hh, names = world.households, world.members
    outs = [ex.dir / "o.xlsx", ex.dir / "o.csv", ex.dir / "o.json", ex.dir / "o.pdf", ex.dir / "folder",
            ex.dir / "none" / "o.xlsx", ex.dir / "exists.xlsx", "/proc/o.xlsx", ex.fifo, "", f"{GBK}.xlsx", ex.dir / "o"]
    files = ex.files
    bundles = [files["up"], files["down"], files["garbage"], files["xlsx"], ex.dir / "missing.zip", ex.dir / "folder"]
    jsons = [files["enrol"], files["public"], files["visit"], files["garbage"], ex.dir / "missing.json", ex.dir / "folder",
             files["rules"]]
    people = [*names, "王五", "李秀兰"]
    ids = [make_id("19700305", 11), make_id("20100101", 16), make_id()[:17] + "0", "52999919800101002X12", "123"]
    return {
        "--hh-no": ["F1", hh[0], "A-1", "x" * 41, "户1"], "household": [*hh, "9999", names[0]],
        "--household": hh, "--into": hh, "member": [*names, "无名", "9999"],
        "--head": people, "--name": people, "--visitor": people, "--unit": ["桃溪镇农业服务中心"],
        "--head-id": ids, "--id": ids, "--village": ["上寨", "下寨", "无此村"], "--group": ["3", "十"],
        "--phone": ["13800138000", "0851-1234567", "123"], "--contact": ["0851-1234567", "1"],
        "--type": ["脱贫户", "一般农户", "x"], "--category": ["边缘易致贫户", "脱贫不稳定户", "突发严重困难户", "x"],
        "--flag": ["低保", "特困", "x"], "--set": ["家庭住址=村口", "民族=汉族", "nofield=1", "noequals", "户类型=脱贫户",
                                              "证件号码=" + ids[0], "联系电话=1"],
        "new_status": ["迁出", "注销", "死亡", "合并重复", "正常", "x"], "--relation": ["之子", "配偶", "户主", "x"],
        "--from-file": [files["visit"], files["garbage"], ex.dir / "missing.json", ex.dir / "folder", files["xlsx"]],
        "--date": DATES, "--identified": DATES, "--village-review": DATES, "--notice": DATES, "--township-review": DATES,
        "--county-approval": DATES, "--start": DATES, "--due": DATES, "--on": DATES,
        "--at": ["2026-11-20 10:00", "2026-11-20T10:00:00+08:00", "now", "2099-01-01", "x"],
        "--channel": ["入户", "电话", "x"], "--wages": MONEY, "--business": MONEY, "--property": MONEY,
        "--transfer": MONEY, "--costs": MONEY, "--medical": MONEY, "--other-rigid": MONEY, "--amount": MONEY,
        "--resident": [*names, "x"], "--school": [f"{names[0]}=在校", "x"], "--insured": [*names, "x=否"],
        "--event": ["disaster:洪涝:8000", "illness", "患病:5000", "x:y:z", "disaster"],
        "--house-grade": ["A", "B", "C", "D", "E", "c"],
        "--water-litres": INTS, "--water-minutes": INTS, "--cut-days": INTS, "--within": INTS, "--days": INTS,
        "--year": ["2026", "2025", "2019", "2101", "0", "-1", "99999999999999999999"], "--pick": INTS,
        "--grade": ["red", "红", "yellow", "purple"], "--rule": ["income_fall", "water", "nope"],
        "--month": MONTHS, "--format": ["xlsx", "csv", "json", "pdf", "XLSX"], "--grid": ["GZ-TX-03", "nope"],
        "--stage": ["include", "eliminate", "x"], "--risk": ["因病", "因学", "x"], "--source": ["村级排查", "x"],
        "--kind": ["金融帮扶", "产业帮扶", "x"], "step": [world.step, "deadbeef", "x"],
        "--method": ["帮扶消除", "自然消除", "x"], "key": ["threshold", "income_fall.share", "nope.x", "income_fall.nope",
                                                       "rural_growth", "warning_share", "x"],
        "value": ["7600", "0.3", "-1", "abc", '["C","D"]', "1e400", "[" * 3000, "9" * 5000, "6.6%", '{"a":1}'],
        "rule": ["income_fall", "nope"], "--for": ["桃溪镇", "GZ-TX-03", "nope"], "bundles": bundles, "bundle": bundles,
        "--max-skew-hours": FLOATS, "choice": ["kept", "lost", "x"], "--add": ["GZ-TX-09", "x y"],
        "code": ["GZ-TX-04", "GZ-TX-03", "x y", ""], "what": ["GZ-TX-03", "nope", "b934b59b"],
        "file": [*jsons, files["xlsx"], files["csv"]], "--config": jsons, "--rejects": outs,
        "period": ["2026Q4", "2026Q5", "9999Q1", "2026-11", "2019Q1"],
        "--rural-growth": ["6.6%", "0.066", "-1", "abc", "200%"], "--warning-share": ["30%", "0.3", "-1", "x"],
        "--grid/init": ["G1", "GZ-TX-09", "x y"], "--level": ["grid", "township", "county", "x"],
        "--grids": ["G1,G2", "G1", ""], "--townships": ["T1,T2", ""], "--threshold": ["7600", "-1", "abc", "1e9"],
        "--township": ["桃溪镇", ""], "--county": ["云岭县", ""], "--monitor": people, "--out": outs, "--public": outs,
        "--detail": ["小额信贷"], "--needs": ["助学帮扶"], "--notes": ["第一行\n第二行"],
        "text": [*hh, *names, "上寨"],
        "--by": ["township", "grid", "village", "x"], "--limit": INTS, "--parquet": [ex.dir / "pq", *outs],
        "kind": ["dibao", "民政", "medical", "医保", "x"], "ref": ["1", "deadbeef", "x"], "--visit": DATES,
        "--note": ["已核实"], "--only": ["id_check_digit", "head_count", "x"], "--reason": ["外出务工", ""],
        "check": ["id_check_digit", "head_count", "income_components", "x"],
        "param": ["enabled", "national", "min_age", "x"],
    }


def _value(data, pools: dict, name: str):
    pool = pools.get(name) or ["张三", "1", "上寨"]
    if data.draw(st.integers(0, 5)) == 0:  # one value in six from the hostile pool (more would rarely get past parsing)
        return data.draw(st.sampled_from(HOSTILE_TEXT))
    return data.draw(st.sampled_from(pool))


def _argv(data, path: tuple, command, pools: dict) -> list:
    argv: list = list(path)
    for param in command.params:
        option = param.param_type_name == "option"
        if param.name == "help":
            continue
        if not param.required and data.draw(st.integers(0, 2)) != 0:  # an optional one a third of the time
            continue
        if option and getattr(param, "is_flag", False):
            argv.append(data.draw(st.sampled_from(param.opts)))
            continue
        key = param.opts[0] if option else param.name
        key = "--grid/init" if path == ("init",) and key == "--grid" else key
        repeat = data.draw(st.integers(1, 3)) if getattr(param, "multiple", False) or param.nargs == -1 else 1
        for _ in range(repeat):
            value = _value(data, pools, key)
            argv += [data.draw(st.sampled_from(param.opts)), value] if option else [value]
    if data.draw(st.integers(0, 9)) == 0:  # now and then the options in another order
        head, rest = argv[:len(path)], argv[len(path):]
        random.Random(len(rest)).shuffle(rest)
        argv = head + rest
    return argv


def _positionals(command, argv: list) -> int:
    """How many of `argv` are arguments (not options or their values)."""
    takes_value = {o for p in command.params if p.param_type_name == "option" and not p.is_flag for o in p.opts}
    n, rest = 0, iter(argv)
    for arg in rest:
        if arg in takes_value:
            next(rest, None)
        elif not str(arg).startswith("--"):
            n += 1
    return n


def _fuzz_options(world: World, data) -> None:
    path, command = data.draw(st.sampled_from(COMMANDS), label="command")
    with example(world) as ex:
        pools = _pools(world, ex)
        argv = _argv(data, path, command, pools)
        if path == ("init",):
            ledger = ex.dir / "new.db"
        else:
            ledger = data.draw(st.sampled_from([ex.grid] * 6 + [ex.township] * 2 + [ex.fresh, ex.files["garbage"],
                                                                                  ex.dir / "folder", ex.dir / "missing.db"]))
        result = ex.run(argv, ledger, note="options:", whole=path != ("sync", "merge") or _positionals(command, argv[2:]) < 2)
        if path == ("init",) and result.exit_code != 0:
            assert not (ex.dir / "new.db").exists(), "a refused init left a ledger behind"


@given(st.data())
def test_every_command_with_fuzzed_options(world, data):
    _fuzz_options(world, data)


# -- 2. visit files ---------------------------------------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(1 << 70), max_value=1 << 70) | st.floats()
    | st.sampled_from(HOSTILE_TEXT + DATES + ["入户", "C", "disaster", "洪涝", "张三"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "date", "type", "wages", "x"]), inner,
                                                                max_size=4),
    max_leaves=8)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _set(value, path, new):
    if not path:
        return new
    value[path[0]] = _set(value[path[0]], path[1:], new)
    return value


def mutate_json(data, document) -> bytes:
    """A mutation of a JSON document: a value replaced, a key dropped or added, or the text itself cut,
    nested deep, given huge numbers or lone surrogates, or encoded as GBK."""
    how = data.draw(st.sampled_from(["replace", "replace", "replace", "drop", "add", "text"]), label="how")
    doc = json.loads(json.dumps(document))
    if how in ("replace", "drop", "add"):
        paths = list(_paths(doc))
        where = data.draw(st.sampled_from(paths), label="where")
        if how == "replace":
            doc = _set(doc, where, data.draw(JSON_VALUES, label="value"))
        elif how == "drop" and where:
            parent = doc
            for step in where[:-1]:
                parent = parent[step]
            del parent[where[-1]]
        elif how == "add":
            target = doc
            for step in where:
                target = target[step]
            if isinstance(target, dict):
                target[data.draw(st.sampled_from(["x", "date", "\x01", "", "residents"]))] = data.draw(JSON_VALUES)
        try:
            return json.dumps(doc, ensure_ascii=data.draw(st.booleans()), allow_nan=True).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError):
            return b"{}"
    text = json.dumps(doc, ensure_ascii=False)
    kind = data.draw(st.sampled_from(["cut", "deep", "digits", "surrogate", "int64", "gbk", "bom", "empty", "garbage"]))
    if kind == "cut":
        return text.encode("utf-8")[:data.draw(st.integers(0, len(text.encode("utf-8"))))]
    if kind == "deep":
        depth = data.draw(st.sampled_from([500, 1100, 100_000]))
        return ('{"date": "2026-11-20", "x": ' + "[" * depth + "]" * depth + "}").encode()
    if kind == "digits":
        return text.replace("30000", "9" * data.draw(st.sampled_from([20, 4301, 10_000]))).encode()
    if kind == "surrogate":
        return text.replace("第一行", "\\ud800").encode()
    if kind == "int64":
        return text.replace("30000", str(1 << 63)).encode()
    if kind == "gbk":
        return text.encode("gbk", "replace")
    if kind == "bom":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + text.encode()
    if kind == "empty":
        return b""
    return os.urandom(data.draw(st.integers(1, 64)))


@given(st.data())
def test_visit_files(world, data):
    document = json.loads(world.files["visit"].read_text(encoding="utf-8"))  # read only
    with example(world) as ex:
        path = ex.dir / "visit.json"
        path.write_bytes(mutate_json(data, document))
        hh = data.draw(st.sampled_from(world.households))
        ex.run(["visit", hh, "--from-file", path], ex.grid, note="visit file:")


# -- 3. import files ----------------------------------------------------------------------------------------
IMPORT_VALUES = st.sampled_from(HOSTILE_TEXT + DATES + [None, 0, -1, 1.5, 10 ** 20, "是", "否", "户主", "之子", "男", "女",
                                                        "汉族", make_id(), make_id()[:17] + "0", "13800138000",
                                                        "52999903010004", "A001"])


def _import_file(data, world: World, folder: Path) -> Path:
    rows = [list(r) for r in world.rows]
    for _ in range(data.draw(st.integers(1, 6))):
        r = data.draw(st.integers(0, len(rows) - 1))
        c = data.draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = data.draw(IMPORT_VALUES)
    if data.draw(st.integers(0, 4)) == 0:
        rows = rows[:data.draw(st.integers(0, len(rows)))]
    kind = data.draw(st.sampled_from(["xlsx", "csv", "csv-gbk", "bytes"]))
    if kind == "xlsx":
        from openpyxl import Workbook
        from openpyxl.utils.exceptions import IllegalCharacterError

        path = folder / "import.xlsx"
        book = Workbook()
        for row in rows:
            try:
                book.active.append(row)
            except (IllegalCharacterError, ValueError):  # what openpyxl cannot write, a real file cannot hold
                book.active.append([None if isinstance(v, str) else v for v in row])
        book.save(path)
        return path
    if kind == "bytes":
        raw = bytearray((world.files["xlsx"] if data.draw(st.booleans()) else world.files["csv"]).read_bytes())
        for _ in range(data.draw(st.integers(1, 8))):
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at] = data.draw(st.integers(0, 255))
        if data.draw(st.booleans()):
            raw = raw[:data.draw(st.integers(0, len(raw)))]
        path = folder / ("import.xlsx" if raw[:2] == b"PK" else "import.csv")
        path.write_bytes(bytes(raw))
        return path
    path = folder / "import.csv"
    encoding = "gb18030" if kind == "csv-gbk" else "utf-8-sig"
    with path.open("w", encoding=encoding, errors="replace", newline="") as handle:
        csv.writer(handle).writerows([["" if v is None else v for v in row] for row in rows])
    return path


@given(st.data())
def test_import_files(world, data):
    with example(world) as ex:
        path = _import_file(data, world, ex.dir)
        extra = data.draw(st.sampled_from([[], ["--skip-invalid"], ["--skip-invalid", "--rejects", ex.dir / "rej.csv"],
                                           ["--json"], ["--skip-invalid", "--rejects", ex.dir / "none" / "r.csv"]]))
        ex.run(["import", "households", path, *extra], ex.grid, note="import:")


# -- 4. bundles: byte flips, and hostile content signed with the grid's real key ------------------------------
@given(st.data())
def test_bundle_bytes(world, data):
    with example(world) as ex:
        raw = bytearray(ex.files["up"].read_bytes())
        how = data.draw(st.sampled_from(["flip", "flip", "cut", "insert"]))
        if how == "flip":
            for _ in range(data.draw(st.integers(1, 4))):
                raw[data.draw(st.integers(0, len(raw) - 1))] ^= 1 << data.draw(st.integers(0, 7))
        elif how == "cut":
            raw = raw[:data.draw(st.integers(0, len(raw) - 1))]
        else:
            at = data.draw(st.integers(0, len(raw)))
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=64))
        path = ex.dir / "bundle.zip"
        path.write_bytes(bytes(raw))
        command = data.draw(st.sampled_from(["merge", "merge", "inspect"]))
        ex.run(["sync", command, path], ex.fresh, note=f"bundle bytes ({how}):")


def _chain(lines: list[str]) -> list[str]:
    """Each line's `prev` set to the hash of the line before it of the same origin (as a sender writes it),
    so a content edit is not refused merely as a broken chain."""
    from grid_cli.ledger.changes import change_line

    out, last = [], {}
    for line in lines:
        try:
            c = json.loads(line)
            body = json.dumps(c["body"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            if c["origin"] in last:
                c["prev"] = last[c["origin"]]
            line = change_line(c["origin"], c["seq"], c["hlc"], c["entity"], c["id"], body, c.get("prev"))
        except (ValueError, KeyError, TypeError):
            pass
        out.append(line)
        try:
            last[json.loads(line)["origin"]] = hashlib.sha256(line.rstrip("\n").encode("utf-8", "surrogatepass")).hexdigest()
        except (ValueError, KeyError, TypeError):
            pass
    return out


@given(st.data())
def test_bundle_content_signed_by_an_enrolled_grid(world, data):
    """An enrolled laptop can still be hostile: change lines and manifests edited, then sealed and signed with
    the grid's own key. Refused whole, or merged; after a merge the township's commands still work."""
    from sealing import reseal

    target = data.draw(st.sampled_from(["line", "line", "line", "manifest"]))
    with example(world) as ex:
        def lines(payload: list[str]) -> list[str]:
            if target != "line":
                return payload
            i = data.draw(st.integers(0, len(payload) - 1), label="line")
            change = json.loads(payload[i])
            if data.draw(st.booleans()):
                raw = mutate_json(data, change).decode("utf-8", "replace")
                try:
                    mutated = json.loads(raw)
                except ValueError:
                    payload[i] = raw.replace("\n", " ") + "\n"  # a line that is not JSON at all
                    return _chain(payload)
            else:
                mutated = _mutate_body(data, change)
            payload[i] = json.dumps(mutated, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
            return _chain(payload)

        def manifest(m: dict) -> None:
            if target == "manifest":
                security = m.pop("security")
                try:
                    mutated = json.loads(mutate_json(data, m).decode("utf-8", "replace"))
                except ValueError:
                    mutated = None
                if isinstance(mutated, dict):
                    m.clear()
                    m.update(mutated)
                m["security"] = security

        path = ex.dir / "crafted.zip"
        try:
            reseal(ex.files["up"], path, ex.grid, ex.township, lines=lines, manifest=manifest)
        except (ValueError, TypeError, KeyError, UnicodeError, RecursionError):
            return  # the edit could not even be sealed (not JSON, say): nothing to send
        result = ex.run(["sync", "merge", path], ex.fresh, note=f"signed bundle ({target}):")
        if result.exit_code == 0:
            for argv in (["risk", "--json"], ["due"], ["household", "list", "--json"], ["sync", "status"], ["sync", "conflicts"],
                         ["ledger", "--out", ex.dir / "l.xlsx"], ["report", "quarter", "--out", ex.dir / "r.xlsx"],
                         ["household", "show", data.draw(st.sampled_from(world.households))], ["verify"]):
                ex.run(argv, ex.fresh, note="after a hostile merge:")


def _mutate_body(data, change: dict) -> dict:
    """A change whose body keeps its shape but carries a hostile value somewhere."""
    body = change.get("body")
    if not isinstance(body, dict):
        return change
    inner = body.get("f") if isinstance(body.get("f"), dict) else body.get("data") if isinstance(body.get("data"), dict) else body
    key = data.draw(st.sampled_from(sorted(inner) + ["x", "name", "hh_no", "income", "date", "residents"]), label="key")
    inner[key] = data.draw(JSON_VALUES, label="body value")
    return change


# -- 5. the other JSON files: key and enrolment files, county rule files ------------------------------------------
@given(st.data())
def test_key_enrolment_and_rule_files(world, data):
    kind = data.draw(st.sampled_from(["enrol", "public", "rules"]))
    document = json.loads(world.files[kind].read_text(encoding="utf-8"))
    with example(world) as ex:
        path = ex.dir / f"{kind}.json"
        path.write_bytes(mutate_json(data, document))
        if kind == "enrol":
            ex.run(["enroll", path, "--replace", "--out", ex.dir / "pub.json"], ex.grid, note="enrolment file:")
        elif kind == "public":
            ex.run(["trust", "add", path, "--replace"], ex.township, note="public-key file:")
        else:
            ex.run(["init", "--grid", "G9", "--village", "V", "--township", "T", "--county", "C", "--monitor", "M",
                    "--phone", "13800138000", "--config", path], ex.dir / "new.db", note="rule file:")


# -- the settings: CI and slow ------------------------------------------------------------------------------
FUZZES = {"options": test_every_command_with_fuzzed_options, "visit_files": test_visit_files,
          "import_files": test_import_files, "bundle_bytes": test_bundle_bytes,
          "bundle_content": test_bundle_content_signed_by_an_enrolled_grid,
          "json_files": test_key_enrolment_and_rule_files}


def _slow(name: str, fuzz):
    inner = fuzz.hypothesis.inner_test

    @pytest.mark.slow
    @settings(SLOW, max_examples=EXAMPLES[name] * 10)
    @given(st.data())
    def test(world, data):
        inner(world, data)

    test.__name__ = f"{fuzz.__name__}_slow"
    return test


for _name, _fuzz in FUZZES.items():
    globals()[f"{_fuzz.__name__}_slow"] = _slow(_name, _fuzz)
    globals()[_fuzz.__name__] = settings(CI, max_examples=EXAMPLES[_name])(_fuzz)
