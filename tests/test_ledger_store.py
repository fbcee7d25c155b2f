"""The ledger file and its single write path: HLC + replica stamps, one transaction per write."""

import sqlite3

import pytest

from conftest import count, digest, rows_of
from grid_cli.clock import HLC, format_hlc, new_id, parse_hlc
from grid_cli.errors import DataError, UsageError
from grid_cli.ledger import Ledger


@pytest.fixture
def ledger(ledger_path):
    opened = Ledger.open(ledger_path)
    yield opened
    opened.close()


def test_a_put_is_logged_and_applied_in_one_go(ledger, ledger_path):
    with ledger.write() as w:
        changed = w.put("household", "h1", {"hh_no": "1", "village": "上寨", "flags": ["低保"]})
    assert changed == {"hh_no": "1", "village": "上寨", "flags": ["低保"]}
    assert ledger.get("household", "h1")["flags"] == ["低保"]
    [change] = rows_of(ledger_path, "SELECT * FROM changes WHERE entity = 'household'")
    assert change["origin"] == ledger.replica_id and change["entity_id"] == "h1"
    assert ledger.meta("hlc") == change["hlc"]


def test_repeating_a_put_writes_nothing(ledger, ledger_path):
    with ledger.write() as w:
        w.put("member", "m1", {"name": "甲", "medical_insurance": True, "work_months": 3})
    before = digest(ledger_path)
    with ledger.write() as w:
        assert w.put("member", "m1", {"name": "甲", "medical_insurance": True, "work_months": 3}) == {}
    assert digest(ledger_path) == before


def test_stamps_increase_and_sequence_is_contiguous(ledger, ledger_path):
    for i in range(5):
        with ledger.write() as w:
            w.put("household", f"h{i}", {"hh_no": str(i)})
            w.put("household", f"h{i}", {"village": "v"})
    changes = rows_of(ledger_path, "SELECT origin_seq, hlc FROM changes ORDER BY seq")
    assert [c["origin_seq"] for c in changes] == list(range(1, 12))
    stamps = [c["hlc"] for c in changes]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_a_failing_write_leaves_nothing_behind(ledger, ledger_path):
    before, changes = digest(ledger_path), count(ledger_path, "changes")
    with pytest.raises(RuntimeError):
        with ledger.write() as w:
            w.put("household", "h1", {"hh_no": "1"})
            w.event("visit", "h1", {"note": "x"})
            raise RuntimeError("power cut")
    with pytest.raises(ValueError):
        with ledger.write() as w:
            w.put("household", "h2", {"hh_no": "2"})
            w.put("household", "h2", {"no_such_column": 1})
    assert count(ledger_path, "changes") == changes
    assert digest(ledger_path) == before
    with ledger.write() as w:  # and the ledger still works, with the sequence unbroken
        w.put("household", "h3", {"hh_no": "3"})
    assert rows_of(ledger_path, "SELECT max(origin_seq) AS s FROM changes")[0]["s"] == changes + 1


def test_events_are_append_only(ledger, ledger_path):
    with ledger.write() as w:
        first = w.event("visit", "h1", {"note": "a"}, date="2026-11-01")
        second = w.event("visit", "h1", {"note": "b"}, date="2026-11-02")
    assert first != second
    assert [r["data"] for r in rows_of(ledger_path, "SELECT data FROM events ORDER BY date")] == ['{"note":"a"}', '{"note":"b"}']


def test_config_per_year(ledger):
    with ledger.write() as w:
        assert w.set_config(2027, {"threshold": 8000}) == {"threshold": 8000}
        assert w.set_config(2027, {"threshold": 8000}) == {}
    assert ledger.config(2027) == {"threshold": 8000} and ledger.config(2026) == {"threshold": 7600}


def test_open_refuses_what_is_not_a_ledger(tmp_path):
    with pytest.raises(DataError, match="no ledger"):
        Ledger.open(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(DataError, match="damaged"):
        Ledger.open(garbage)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(DataError, match="not a grid ledger"):
        Ledger.open(other)


def test_create_refuses_an_existing_file(ledger_path):
    before = digest(ledger_path)
    with pytest.raises(UsageError, match="already exists"):
        Ledger.create(ledger_path, {})
    assert digest(ledger_path) == before


def test_a_newer_schema_is_refused(ledger_path):
    conn = sqlite3.connect(ledger_path)
    conn.execute("INSERT INTO migrations VALUES (99, 'future', datetime('now'))")
    conn.commit()
    conn.close()
    with pytest.raises(DataError, match="newer grid"):
        Ledger.open(ledger_path)


def test_hlc_never_runs_backwards_and_moves_past_what_it_sees():
    clock = HLC()
    stamps = [clock.tick() for _ in range(50)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 50
    future = format_hlc(parse_hlc(stamps[-1])[0] + 10_000_000, 7)
    clock.observe(future)
    assert clock.tick() > future
    clock.observe(stamps[0])  # an old stamp changes nothing
    assert clock.tick() > future
    resumed = HLC(clock.last)
    assert resumed.tick() > clock.last


def test_ids_are_unique_and_time_ordered_by_prefix():
    ids = [new_id() for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(i[14] == "7" for i in ids)  # version 7
    assert [i[:13] for i in ids] == sorted(i[:13] for i in ids)
