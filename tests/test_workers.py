"""Worker processes (grid_cli/workers.py): the store and the quarterly report come out exactly as one
process makes them, an error in a worker reaches the user as one line, and a write by another program
during the pass is never stored over."""

from __future__ import annotations

import shutil

import pytest

from grid_cli import findings, workers
from grid_cli.errors import DataError, UsageError
from grid_cli.exports.quarter import build_quarter
from grid_cli.ledger import Ledger
from conftest import Run, digest
from test_findings_store import from_scratch, from_store


@pytest.fixture
def pools(monkeypatch) -> list:
    """Every Pool the code under test starts (the spy runs in this process; the work in the workers)."""
    started = []

    class Spy(workers.Pool):
        def __init__(self, *args):
            super().__init__(*args)
            started.append(self)

    monkeypatch.setattr(workers, "Pool", Spy)
    monkeypatch.setattr(findings, "BATCH", 7)  # 60 households: 9 batches
    return started


def store(path) -> tuple[dict, int]:
    ledger = Ledger.open(path)
    try:
        return from_store(ledger), ledger.conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    finally:
        ledger.close()


def test_the_store_judged_by_workers_equals_the_one_judged_here(demo_db, tmp_path, pools, monkeypatch):
    copy = tmp_path / "copy.db"
    shutil.copy(demo_db, copy)
    monkeypatch.setenv("GRID_WORKERS", "0")
    alone = store(demo_db)
    assert not pools
    monkeypatch.setenv("GRID_WORKERS", "2")
    assert store(copy) == alone and alone[1] > 20
    assert len(pools) == 1 and pools[0].workers == 2


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


def test_a_write_by_another_program_during_the_pass_is_not_stored_over(demo_db, pools, monkeypatch):
    # After the first batch is stored, another connection takes away a member's medical insurance in a
    # household that a worker has already read (in flight: two batches per worker). What the workers
    # judged from before that write is dropped, and the rest is judged here: the store equals a fresh
    # assessment of the ledger as it now is.
    monkeypatch.setenv("GRID_WORKERS", "2")
    ledger = Ledger.open(demo_db)
    ids = [r[0] for r in ledger.conn.execute("SELECT id FROM households WHERE status = '正常' ORDER BY id")]
    target = ids[10]  # the second batch
    outcome = []
    judge = findings._judge_in_workers
    monkeypatch.setattr(findings, "_judge_in_workers", lambda *a: outcome.append(judge(*a)) or outcome[-1])

    def meanwhile(done: int, _todo: int) -> None:
        if done == 7:
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
    ledger.close()
    before = digest(demo_db)
    result = Run(demo_db)("risk")
    assert result.exit_code == 3 and "cannot be read" in result.output and "Traceback" not in result.output
    assert digest(demo_db) == before and pools


@pytest.mark.parametrize("value, expected", [("0", 0), ("1", 0), ("3", 3), ("8", 5), (" 2 ", 2)])
def test_grid_workers_sets_their_number_up_to_the_batches(value, expected, monkeypatch):
    monkeypatch.setenv("GRID_WORKERS", value)
    assert workers.count(5) == expected


def test_without_grid_workers_a_small_ledger_is_judged_in_one_process(monkeypatch):
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 8)
    assert [workers.count(n) for n in (1, 2, 3, 40)] == [0, 0, 3, workers.MAX]


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_a_bad_grid_workers_is_a_usage_error_that_changes_nothing(value, monkeypatch, demo_db):
    monkeypatch.setenv("GRID_WORKERS", value)
    with pytest.raises(UsageError):
        workers.count(5)
    before = digest(demo_db)
    result = Run(demo_db)("risk")
    assert result.exit_code == 2 and "GRID_WORKERS" in result.output and "Traceback" not in result.output
    assert digest(demo_db) == before
