"""The hash-chained change log: `grid verify` checks a ledger's own chain and those it received; a township
refuses a bundle from a grid whose history was rewritten."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from sealing import canonical_line, reseal
from synckit import export, grid, merge, refused

from grid_cli.ledger import Ledger


def verify(p, name, ok=True):
    result = grid(p["dir"], "--ledger", p[name], "verify", "--json", ok=ok)
    return result.exit_code, json.loads(result.output)


def sql(p, name, statement, params=()):
    ledger = Ledger.open(Path(p[name]))
    try:
        ledger.conn.execute(statement, params)
    finally:
        ledger.close()


def test_chains_hold_on_every_ledger_after_a_round_trip(tree):
    p = tree
    grid(p["dir"], "--ledger", p["G1"], "visit", "G100", "--yes", "--date", "2026-03-01", "--wages", "1200")
    merge(p, "T1", export(p, "G1"), export(p, "G2"))
    merge(p, "C", export(p, "T1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    for name in ("G1", "T1", "C"):
        code, info = verify(p, name)
        assert code == 0 and info["ok"]
    _code, info = verify(p, "T1")
    g1 = [o for o in info["origins"] if o["code"] == "G1"][0]
    assert g1["links"] >= 6 and g1["holes"] == 0  # the grid's changes held at the township, linked
    assert "All chains hold" in grid(p["dir"], "--ledger", p["C"], "verify").output


def test_an_edited_change_breaks_the_chain(tree):
    p = tree
    grid(p["dir"], "--ledger", p["G1"], "visit", "G100", "--yes", "--date", "2026-03-01", "--wages", "1200")
    grid(p["dir"], "--ledger", p["G1"], "household", "add", "--hh-no", "G1050", "--head", "后来户")
    merge(p, "T1", export(p, "G1"))
    # someone edits the income of the visit in the township's copy of the grid's log (an SQLite viewer)
    sql(p, "T1", "UPDATE changes SET body = replace(body, '1200', '9200') WHERE entity = 'event'")
    code, info = verify(p, "T1", ok=False)
    assert code == 1 and not info["ok"]
    bad = [o for o in info["origins"] if not o["ok"]]
    assert bad and bad[0]["code"] == "G1" and bad[0]["reason"] == "link"
    text = grid(p["dir"], "--ledger", p["T1"], "verify", ok=False).output
    assert "broken at" in text


def test_a_deleted_own_change_breaks_the_chain(tree):
    p = tree
    sql(p, "G1", "DELETE FROM changes WHERE origin_seq = 2")
    code, info = verify(p, "G1", ok=False)
    mine = [o for o in info["origins"] if o["self"]][0]
    assert code == 1 and mine["first_bad"] == 2 and mine["reason"] == "missing"


def test_township_refuses_a_grid_whose_history_was_rewritten(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    backup = p["dir"] / "G1-backup.db"  # the grid's ledger as it was (with its key)
    # SQLite's backup, not a file copy: the ledger is in WAL mode and its last writes may still sit in the
    # -wal file (whether they do depends on when a connection was closed, which made a plain copy flaky)
    with closing(sqlite3.connect(p["G1"])) as source, closing(sqlite3.connect(backup)) as target:
        source.backup(target)
    shutil.copy(p["G1"] + ".key", str(backup) + ".key")
    grid(p["dir"], "--ledger", p["G1"], "household", "add", "--hh-no", "G1050", "--head", "真实户")
    merge(p, "T1", export(p, "G1"))
    # the grid goes back to the backup and writes something else under the same seqs
    q = dict(p, G1=str(backup))
    grid(p["dir"], "--ledger", q["G1"], "household", "add", "--hh-no", "G1051", "--head", "改写户")
    refused(q, "T1", export(q, "G1"), ["was rewritten"])


def test_a_broken_link_inside_a_bundle_is_refused(tree):
    p = tree
    b = export(p, "G1")

    def break_link(lines):
        change = json.loads(lines[2])
        change["prev"] = "f" * 64
        return [*lines[:2], canonical_line(change), *lines[3:]]

    refused(p, "T1", reseal(b, p["dir"] / "broken.zip", p["G1"], p["T1"], lines=break_link), ["was rewritten"])

    def drop_link(lines):
        change = json.loads(lines[2])
        del change["prev"]
        return [*lines[:2], canonical_line(change), *lines[3:]]

    refused(p, "T1", reseal(b, p["dir"] / "unlinked.zip", p["G1"], p["T1"], lines=drop_link), ["was rewritten"])
