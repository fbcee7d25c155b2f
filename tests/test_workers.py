"""Worker processes (grid_cli/workers.py): the store and the quarterly report come out exactly as one
process makes them, an error in a worker reaches the user as one line, and a write by another program
during the pass is never stored over."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grid_cli import findings, workers
from grid_cli.errors import DataError, UsageError
from grid_cli.exports.quarter import build_quarter
from grid_cli.ledger import Ledger
from conftest import Run, digest, rows_of
from test_findings_store import from_scratch, from_store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pools(monkeypatch) -> list:
    """Every Pool the code under test starts (the spy runs in this process; the work in the workers), and
    how many results each gave back. `Spy.kill_after = N` kills a worker once N results came back."""
    class Started(list):
        spy: type

    started = Started()

    class Spy(workers.Pool):
        kill_after = None
        meanwhile = (None, None)  # (after N results, do this in the parent)

        def __init__(self, *args):
            super().__init__(*args)
            self.results = 0
            started.append(self)

        def ordered(self, work, items):
            for result in super().ordered(work, items):
                self.results += 1
                if self.results == Spy.kill_after:
                    victim = next(iter(self._executor._processes.values()))
                    victim.kill()  # as the out-of-memory killer would
                    victim.join()
                    deadline = time.monotonic() + 30  # until the pool knows: else, on a loaded machine, the
                    while not self._executor._broken and time.monotonic() < deadline:  # other worker may
                        time.sleep(0.01)  # finish every batch first, and nothing is left to judge here
                if self.results == Spy.meanwhile[0]:
                    Spy.meanwhile[1]()
                yield result

    monkeypatch.setattr(workers, "Pool", Spy)
    monkeypatch.setattr(findings, "BATCH", 7)  # 60 households: 9 batches
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 4)  # GRID_WORKERS=2 is two workers on any machine
    started.spy = Spy
    return started


def failing_setup() -> None:
    raise OSError("cannot open the ledger a second time")


def double(item: int) -> int:
    if item == 5:
        raise ValueError("five")
    return 2 * item


def store(path) -> tuple[dict, int]:
    ledger = Ledger.open(path)
    try:
        return from_store(ledger), ledger.conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    finally:
        ledger.close()


@pytest.mark.parametrize("worker_batch", [500, 3])  # 3: a transaction stores three of a worker's batches
def test_the_store_judged_by_workers_equals_the_one_judged_here(demo_db, tmp_path, pools, monkeypatch, worker_batch):
    monkeypatch.setattr(workers, "BATCH", worker_batch)
    copy = tmp_path / "copy.db"
    shutil.copy(demo_db, copy)
    monkeypatch.setenv("GRID_WORKERS", "0")
    alone = store(demo_db)
    assert not pools
    monkeypatch.setenv("GRID_WORKERS", "2")
    assert store(copy) == alone and alone[1] > 20
    assert len(pools) == 1 and pools[0].workers == 2 and pools[0].results == -(-60 // min(7, worker_batch))


@pytest.mark.parametrize("after", [1, 4])
def test_a_worker_killed_midway_leaves_the_rest_to_this_process(demo_db, tmp_path, pools, monkeypatch, after):
    copy = tmp_path / "copy.db"
    shutil.copy(demo_db, copy)
    monkeypatch.setenv("GRID_WORKERS", "0")
    alone = store(demo_db)
    monkeypatch.setenv("GRID_WORKERS", "2")
    pools.spy.kill_after = after
    assert store(copy) == alone
    assert pools[0].results < 9  # the pool broke; this process judged the rest


def test_a_report_whose_worker_is_killed_is_counted_again_here(hub_db, pools, monkeypatch):
    # the half-read household cursor must not stay open: the catalogue's DETACH would find its database locked
    ledger = Ledger.open(hub_db)
    try:
        monkeypatch.setenv("GRID_WORKERS", "0")
        alone = build_quarter(ledger, "2026Q3")
        monkeypatch.setenv("GRID_WORKERS", "2")
        pools.spy.kill_after = 2
        assert build_quarter(ledger, "2026Q3") == alone and pools[0].results < 9
    finally:
        ledger.close()


def test_a_report_during_which_another_program_writes_is_counted_again_in_one_read(hub_db, pools, monkeypatch):
    ledger = Ledger.open(hub_db)
    target = ledger.conn.execute("SELECT id FROM households WHERE status = '正常' ORDER BY id LIMIT 1").fetchone()[0]

    def write() -> None:
        other = Ledger.open(hub_db)
        other.conn.execute("UPDATE members SET medical_insurance = 0, employee_medical_insurance = 0"
                           " WHERE household_id = ?", (target,))
        other.close()

    try:
        monkeypatch.setenv("GRID_WORKERS", "2")
        pools.spy.meanwhile = (1, write)  # the first batch, the target's, is counted from before the write
        during = build_quarter(ledger, "2026Q3")
        monkeypatch.setenv("GRID_WORKERS", "0")
        assert during == build_quarter(ledger, "2026Q3")  # the ledger as it is after the write, read once
        assert pools[0].results >= 1 and len(pools) == 1
    finally:
        ledger.close()


def test_a_worker_that_cannot_start_says_so_without_a_traceback(capfd):
    with pytest.raises(workers.Unavailable, match="cannot open the ledger"):
        with workers.Pool(2, failing_setup, ()) as pool:
            list(pool.ordered(double, iter(range(10))))
    assert "Traceback" not in capfd.readouterr().err
    with workers.Pool(2, print, ()) as pool:
        assert list(pool.ordered(double, iter(range(5)))) == [0, 2, 4, 6, 8]


def test_the_items_are_closed_when_a_worker_fails(capfd):
    # The parent's items are often a generator over an SQL cursor: after an error it must not stay open,
    # even while the error (and its traceback, which holds the frames) is kept, as a Future keeps it.
    def items():
        yield from range(10)

    source = items()
    with pytest.raises(ValueError, match="five") as raised:
        with workers.Pool(2, print, ()) as pool:
            list(pool.ordered(double, source))
    assert raised.value.__traceback__ is not None and source.gi_frame is None  # closed


def test_the_quarterly_report_counted_by_workers_equals_one_pass_here(hub_db, pools, monkeypatch):
    ledger = Ledger.open(hub_db)
    try:
        for quarter in ("2026Q3", "2026Q4"):  # three past month ends; then two and today's, from the store
            monkeypatch.setenv("GRID_WORKERS", "0")
            alone = build_quarter(ledger, quarter)
            monkeypatch.setenv("GRID_WORKERS", "2")
            assert build_quarter(ledger, quarter) == alone
        assert len(pools) == 2
        assert alone["totals"]["households"] == 60 and alone["data_quality"]["checks_run"] > 10
        assert alone["overdue"]["list"] and alone["by_grid"]  # the lists come back in one pass's order
    finally:
        ledger.close()


@pytest.mark.parametrize("worker_batch", [500, 3])  # 3: the write drops three held batches at once
def test_a_write_by_another_program_during_the_pass_is_not_stored_over(demo_db, pools, monkeypatch, worker_batch):
    # After the first batch is stored, another connection takes away a member's medical insurance in a
    # household that a worker has already read (in flight: two batches per worker). What the workers
    # judged from before that write is dropped, and the rest is judged here: the store equals a fresh
    # assessment of the ledger as it now is.
    monkeypatch.setenv("GRID_WORKERS", "2")
    monkeypatch.setattr(workers, "BATCH", worker_batch)
    ledger = Ledger.open(demo_db)
    ids = [r[0] for r in ledger.conn.execute("SELECT id FROM households WHERE status = '正常' ORDER BY id")]
    target = ids[10]  # the second batch
    outcome = []
    judge = findings._judge_in_workers
    monkeypatch.setattr(findings, "_judge_in_workers", lambda *a: outcome.append(judge(*a)) or outcome[-1])

    def meanwhile(done: int, _todo: int) -> None:
        if done == -(-7 // min(7, worker_batch)) * min(7, worker_batch):  # the first transaction's households
            other = Ledger.open(demo_db)
            with other.conn:
                other.conn.execute("UPDATE members SET medical_insurance = 0, employee_medical_insurance = 0"
                                   " WHERE household_id = ?", (target,))
            other.close()

    try:
        findings.current(ledger, progress=meanwhile)
        assert outcome == [False]
        assert from_store(ledger) == from_scratch(ledger)
        assert any(f["rule"] == "medical" for f in from_store(ledger)[target][1])
    finally:
        ledger.close()


def test_a_visit_a_worker_cannot_read_is_one_line_in_the_users_language(demo_db, pools, monkeypatch):
    monkeypatch.setenv("GRID_WORKERS", "2")
    ledger = Ledger.open(demo_db)
    seq, household = ledger.conn.execute("SELECT change_seq, household_id FROM event_index WHERE kind = 'visit'"
                                         " ORDER BY household_id DESC LIMIT 1").fetchone()
    with ledger.conn:
        ledger.conn.execute("UPDATE changes SET body = '{\"data\": 5}' WHERE seq = ?", (seq,))
        ledger.conn.execute("DELETE FROM assessed")
    with pytest.raises(DataError) as raised:
        findings.current(ledger)
    assert raised.value.zh.startswith("账本中的走访记录") and "grid verify" in raised.value.hint_en  # whole, not its str()
    assert not ledger.conn.execute("SELECT 1 FROM assessed WHERE household_id = ?", (household,)).fetchall()
    with ledger.conn:
        ledger.conn.execute("DELETE FROM assessed")  # all 60 to judge again: through the command, by workers too
    ledger.close()
    store = ("assessed", "findings", "findings_basis")  # the batches judged before the error are kept there
    before = digest(demo_db, skip=store)
    result = Run(demo_db)("risk")
    assert result.exit_code == 3 and "cannot be read" in result.output and "Traceback" not in result.output
    assert digest(demo_db, skip=store) == before and len(pools) == 2
    assert not rows_of(demo_db, "SELECT 1 FROM assessed WHERE household_id = ?", (household,))


@pytest.mark.parametrize("value, expected", [("0", 0), ("1", 0), ("3", 3), ("8", 5), (" 2 ", 2), ("100000", 5)])
def test_grid_workers_sets_their_number_up_to_the_batches(value, expected, monkeypatch):
    monkeypatch.setenv("GRID_WORKERS", value)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 6)
    assert workers.count(5) == expected
    assert workers.count(40) == min(int(value), 6) * (int(value) >= 2)  # never more than the cores


def test_without_grid_workers_a_small_ledger_is_judged_in_one_process(monkeypatch):
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 8)
    assert [workers.count(n) for n in (1, 2, 3, 40)] == [0, 0, 3, workers.MAX]


@pytest.mark.parametrize("value", ["two", "-1", "1.5", "²"])
def test_a_bad_grid_workers_is_a_usage_error_that_changes_nothing(value, monkeypatch, demo_db):
    monkeypatch.setenv("GRID_WORKERS", value)
    with pytest.raises(UsageError):
        workers.count(5)
    before = digest(demo_db)
    result = Run(demo_db)("risk")
    assert result.exit_code == 2 and "GRID_WORKERS" in result.output and "Traceback" not in result.output
    assert digest(demo_db) == before


ORPHAN = """
import sys, time
from grid_cli import workers
def slow(item):
    time.sleep(60)
if __name__ == "__main__":
    with workers.Pool(2, print, ()) as pool:
        print(" ".join(str(p) for p in pool._executor._processes), flush=True)
        list(pool.ordered(slow, iter(range(4))))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="liveness by os.kill(pid, 0) and /proc: POSIX")
def test_workers_end_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, cwd=ROOT)
    children = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(children) == 2
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (ended, not yet reaped by init) counts as ended
        return " Z " not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:4]
    except OSError:
        return True


def test_errors_cross_from_a_worker_whole():
    import pickle

    from grid_cli.fastjson import Refused

    error = pickle.loads(pickle.dumps(DataError("账本损坏", "the ledger is damaged", hint_zh="恢复", hint_en="restore")))
    assert (type(error), error.zh, error.en, error.hint_zh, error.hint_en, error.exit_code) == \
        (DataError, "账本损坏", "the ledger is damaged", "恢复", "restore", 3)
    refused = pickle.loads(pickle.dumps(Refused("a lone surrogate")))
    assert type(refused) is Refused and refused.msg == "a lone surrogate"


def test_a_worker_opens_any_path_read_only(tmp_path, demo_db):
    from pathlib import PureWindowsPath

    from grid_cli.ledger.store import _read_only_uri

    assert _read_only_uri(PureWindowsPath(r"C:\Users\张三\grid.db")) == \
        "file:///C:/Users/%E5%BC%A0%E4%B8%89/grid.db?mode=ro"
    assert _read_only_uri(PureWindowsPath(r"\\server\share\grid.db")) == "file:////server/share/grid.db?mode=ro"
    odd = tmp_path / "目录 x%20" / "云岭县 #1?.db" if sys.platform != "win32" else tmp_path / "目录 x%20" / "云岭县 #1.db"
    odd.parent.mkdir()
    shutil.copy(demo_db, odd)
    ledger = Ledger.read_only(odd)
    try:
        assert ledger.conn.execute("SELECT count(*) FROM households").fetchone()[0] == 60
        with pytest.raises(Exception, match="readonly"):
            ledger.conn.execute("DELETE FROM households")
    finally:
        ledger.close()


# -- a county's month, a workbook per township ---------------------------------------------------------
@pytest.fixture
def county_db(demo_db) -> Path:
    """The sample as a county ledger: its four villages in four grids, under three townships."""
    import sqlite3

    conn = sqlite3.connect(demo_db)
    with conn:
        conn.execute("UPDATE meta SET value = '\"county\"' WHERE key = 'level'")
        conn.execute("UPDATE households SET grid = CASE village WHEN '上寨' THEN 'G1' WHEN '下寨' THEN 'G2'"
                     " WHEN '岩脚' THEN 'G3' ELSE 'G4' END")
        conn.executemany("INSERT OR REPLACE INTO scope VALUES (?, 'grid', ?)",
                         [("G1", "甲镇"), ("G2", "甲镇"), ("G3", "乙镇"), ("G4", "丙镇")])
    conn.close()
    return demo_db


def workbooks(folder: Path) -> dict[str, list]:
    """Every file in the folder (hidden ones too) with each sheet's cell values, row by row."""
    from openpyxl import load_workbook

    out = {}
    for path in sorted(folder.iterdir()):
        book = load_workbook(path, read_only=True)
        out[path.name] = [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in book.worksheets]
        book.close()
    return out


@pytest.mark.parametrize("month", ["2026-11", "2026-10"])  # this month (stored findings) and a past one
def test_township_workbooks_written_by_workers_equal_those_written_here(county_db, tmp_path, pools, monkeypatch, month):
    run = Run(county_db)  # in Chinese, which only --lang says: the workers write in the parent's language
    monkeypatch.setenv("GRID_WORKERS", "0")
    assert run("ledger", "--month", month, "--per-township", "--out", tmp_path / "here", lang="zh").exit_code == 0
    assert not pools
    monkeypatch.setenv("GRID_WORKERS", "2")
    result = run("ledger", "--month", month, "--per-township", "--out", tmp_path / "workers", lang="zh")
    assert result.exit_code == 0, result.output
    assert len(pools) == 1 and pools[0].results == 3  # three townships, each written by a worker
    here, there = workbooks(tmp_path / "here"), workbooks(tmp_path / "workers")
    assert here == there and sorted(here) == [f"台账-{month}-{t}.xlsx" for t in ("丙镇", "乙镇", "甲镇")] + [f"索引-{month}.xlsx"]
    index = here[f"索引-{month}.xlsx"][0][1]
    assert ["合计", 60] == [c for c in index if c and c[0] == "合计"][0][:2]  # every household, in one of them
    assert here[f"台账-{month}-甲镇.xlsx"][0][0] == "台账"  # the sheets' names are the language's


def test_a_worker_killed_while_writing_leaves_the_other_townships_to_this_process(county_db, tmp_path, pools, monkeypatch):
    run = Run(county_db)
    monkeypatch.setenv("GRID_WORKERS", "0")
    assert run("ledger", "--per-township", "--out", tmp_path / "here").exit_code == 0
    monkeypatch.setenv("GRID_WORKERS", "2")
    pools.spy.kill_after = 1
    result = run("ledger", "--per-township", "--out", tmp_path / "workers")
    assert result.exit_code == 0, result.output
    assert pools[0].results < 3 and workbooks(tmp_path / "workers") == workbooks(tmp_path / "here")  # no temporary left


def test_a_township_that_cannot_be_written_is_one_line_and_leaves_no_temporary_file(county_db, tmp_path, pools, monkeypatch):
    # a visit the ledger cannot read, in 丙镇 (the first township written): the worker's error is the user's one
    # line (exit 3); what was sent to the others is removed, not left half-written beside the targets
    monkeypatch.setenv("GRID_WORKERS", "2")
    household = rows_of(county_db, "SELECT id FROM households WHERE grid = 'G4' LIMIT 1")[0]["id"]
    ledger = Ledger.open(county_db)
    seq = ledger.conn.execute("SELECT change_seq FROM event_index WHERE kind = 'visit' AND household_id = ?"
                              " AND date <= '2026-10-31' ORDER BY date DESC LIMIT 1", (household,)).fetchone()[0]
    with ledger.conn:  # its latest visit as of the month's end: read for every ledger of October
        ledger.conn.execute("UPDATE changes SET body = '{\"data\": 5}' WHERE seq = ?", (seq,))
    ledger.close()
    result = Run(county_db)("ledger", "--month", "2026-10", "--per-township", "--out", tmp_path / "out")
    assert result.exit_code == 3 and "cannot be read" in result.output and "Traceback" not in result.output
    assert len(pools) == 1 and list((tmp_path / "out").iterdir()) == []


def test_township_workbooks_take_at_most_three_workers_unless_told_and_a_bad_setting_makes_no_folder(
        county_db, tmp_path, pools, monkeypatch):
    # a worker writing a workbook holds about 70 MB: three and the parent stay under 300 MB on any machine
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 8)
    assert Run(county_db)("ledger", "--per-township", "--out", tmp_path / "auto").exit_code == 0
    assert [pool.workers for pool in pools] == [4, 3]  # today's findings judged first (their own pool), then the workbooks
    monkeypatch.setenv("GRID_WORKERS", "x")
    result = Run(county_db)("ledger", "--per-township", "--out", tmp_path / "bad")
    assert result.exit_code == 2 and "GRID_WORKERS" in result.output and not (tmp_path / "bad").exists()


def test_a_household_another_program_changes_during_the_run_is_judged_by_the_worker_that_writes_it(
        county_db, tmp_path, pools, monkeypatch):
    # The store is brought up to date before the workers start; a write by another program then forgets one
    # household's findings. A worker only reads: it judges that household itself (it used to fail on writing
    # to its read-only ledger, exit 3), and its workbook is the one a single process writes after the same write.
    from grid_cli.exports import townships

    monkeypatch.setenv("GRID_WORKERS", "2")
    target = rows_of(county_db, "SELECT id FROM households WHERE grid = 'G1' LIMIT 1")[0]["id"]
    brought_up_to_date = townships._findings_current

    def then_another_program_writes(ledger, month):
        brought_up_to_date(ledger, month)
        other = Ledger.open(county_db)
        with other.conn:
            other.conn.execute("UPDATE members SET medical_insurance = 0, employee_medical_insurance = 0"
                               " WHERE household_id = ?", (target,))
        other.close()

    monkeypatch.setattr(townships, "_findings_current", then_another_program_writes)
    result = Run(county_db)("ledger", "--per-township", "--out", tmp_path / "workers")
    assert result.exit_code == 0, result.output
    assert not rows_of(county_db, "SELECT 1 FROM assessed WHERE household_id = ?", (target,))  # judged, not stored
    monkeypatch.setenv("GRID_WORKERS", "0")
    assert Run(county_db)("ledger", "--per-township", "--out", tmp_path / "here").exit_code == 0
    assert workbooks(tmp_path / "workers") == workbooks(tmp_path / "here")
