"""Killing a merge (of a signed, encrypted bundle) at any moment leaves the ledger as it was before, intact;
merging again converges."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grid_cli.clock import new_id
from grid_cli.ledger import Ledger
from grid_cli.sync import create_hub, export_bundle, merge_bundle
from grid_cli.sync.digest import digest
from grid_cli.errors import Replayed
from sealing import enrol

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL") or os.name == "nt", reason="needs SIGKILL (POSIX)")

CHILD = """
import sys
from pathlib import Path
from grid_cli.ledger import Ledger
from grid_cli.sync import merge_bundle
from grid_cli.errors import Replayed
ledger = Ledger.open(Path(sys.argv[1]))
print("go", flush=True)
merge_bundle(ledger, Path(sys.argv[2]))
print("done", flush=True)
"""


def _copy(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    shutil.copy(str(src) + ".key", str(dst) + ".key")  # owner-only, like the original
    return dst


def _fingerprint(path: Path) -> tuple[str, int, int]:
    ledger = Ledger.open(path)
    try:
        counts = ledger.conn.execute("SELECT (SELECT count(*) FROM changes), (SELECT count(*) FROM bundles)").fetchone()
        return digest(ledger), counts[0], counts[1]
    finally:
        ledger.close()


def test_sigkill_during_merge_leaves_before_or_after(tmp_path):
    township = create_hub(tmp_path / "T.db", "township", township="T1", county="C", codes=["G1"], year=2026,
                          year_config=None)
    g1 = Ledger.create(tmp_path / "G1.db", {"level": "grid", "grid_code": "G1", "township": "T1", "county": "C",
                                            "year": 2026})
    enrol(township, g1)
    township.close()
    with g1.write() as w:
        for n in range(900):
            hid = new_id()
            w.put("household", hid, {"hh_no": f"G1-{n}", "grid": "G1", "status": "正常", "village": "东村"})
            for m in range(3):
                w.put("member", new_id(), {"household_id": hid, "name": f"成员{n}-{m}", "relation": "户主" if m == 0 else "子女",
                                           "status": "正常", "medical_insurance": 1})
            for month in range(1, 7):
                w.event("visit", hid, {"income": {"wages": 1000 * month}}, date=f"2026-{month:02d}-05")
    bundle = Path(export_bundle(g1, tmp_path).path)
    g1.close()

    base = tmp_path / "base.db"
    _copy(tmp_path / "T.db", base)
    before = _fingerprint(base)
    after_path = _copy(base, tmp_path / "after.db")
    ledger = Ledger.open(after_path)
    started = time.perf_counter()
    merge_bundle(ledger, bundle)
    merge_time = time.perf_counter() - started
    ledger.close()
    after = _fingerprint(after_path)
    assert before != after

    rng = random.Random(os.environ.get("GRID_KILL_SEED", "grid"))
    seen = {"before": 0, "after": 0}
    run = tmp_path / "run.db"
    for attempt in range(20):
        _copy(base, run)
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(run), str(bundle)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "go", child.stderr.read()
        time.sleep(rng.uniform(0, merge_time * 1.2))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        conn = sqlite3.connect(run)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        state = _fingerprint(run)
        assert state in (before, after), f"attempt {attempt}: a half-merged ledger"
        seen["before" if state == before else "after"] += 1
        ledger = Ledger.open(run)
        try:
            merge_bundle(ledger, bundle)  # again: converges
        except Replayed:
            pass  # it had finished: a replay, refused, nothing changes
        ledger.close()
        assert _fingerprint(run) == after
    assert seen["before"] > 0  # at least some kills landed mid-merge
