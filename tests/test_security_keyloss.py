"""Key loss: a grid's laptop is lost or stolen. The township revokes its key with a cut-off by sequence (the
last change the monitor says it sent, from its last bundle's name): changes up to it are still taken, any
later one is refused whatever time its bundle claims. It enrols a new laptop in its place (`grid trust add
--replace`) and rebuilds the grid's ledger from its own copy with one down bundle: no visit the township
had is lost, nor any visit in a bundle the old laptop made before the loss. The county follows the
replacement and holds the same cut-off."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

from synckit import GRID, export, grid, merge, refused

from grid_cli.ledger import Ledger
from grid_cli.sync import export_bundle


def visits(p, name):
    ledger = Ledger.open(Path(p[name]))
    try:
        return {r["id"] for r in ledger.query("SELECT id FROM events WHERE kind = 'visit'")}
    finally:
        ledger.close()


def households(p, name, grid_code="G1"):
    ledger = Ledger.open(Path(p[name]))
    try:
        return {r["hh_no"] for r in ledger.query("SELECT hh_no FROM households WHERE grid = ?", (grid_code,))}
    finally:
        ledger.close()


def visit(p, name, hh, date, wages):
    grid(p["dir"], "--ledger", p[name], "visit", hh, "--yes", "--date", date, "--wages", str(wages))


def test_lost_laptop_is_cut_off_and_the_new_one_gets_every_visit(tree):
    p = dict(tree, G1new=str(tree["dir"] / "G1-new.db"))
    d = p["dir"]
    for n in range(3):
        visit(p, "G1", f"G10{n}", "2026-03-01", 1000 + n)
    merge(p, "T1", export(p, "G1"))
    merge(p, "C", export(p, "T1"))
    visit(p, "G1", "G100", "2026-04-01", 2000)
    usb = d / "usb"
    made = json.loads(grid(d, "--ledger", p["G1"], "sync", "export", "--out", str(usb), "--json").output)
    in_flight = Path(made["path"])  # on a USB stick when the laptop is lost
    assert in_flight.name.split("-s")[-1].startswith(f"{made['last_own']}-")  # the number the monitor states
    lost_at = json.loads(zipfile.ZipFile(in_flight).read("manifest.json"))["created"]
    before_loss = visits(p, "G1")

    # 1. the township revokes the lost laptop's key: cut-off at the last change the monitor sent
    grid(d, "--ledger", p["T1"], "trust", "revoke", "G1", "--upto", str(made["last_own"]), "--at", lost_at)
    # 2. a new laptop: a new ledger for the same grid, enrolled in the old one's place
    grid(d, "--ledger", p["G1new"], "init", "--grid", "G1", *GRID)
    grid(d, "--ledger", p["T1"], "trust", "issue", "G1", "--out", str(d / "G1-enrol-2.json"))
    grid(d, "--ledger", p["G1new"], "enroll", str(d / "G1-enrol-2.json"), "--out", str(d / "G1-public-2.json"))
    plain = grid(d, "--ledger", p["T1"], "trust", "add", str(d / "G1-public-2.json"), ok=False)
    assert plain.exit_code == 1 and "--replace" in plain.output
    grid(d, "--ledger", p["T1"], "trust", "add", str(d / "G1-public-2.json"), "--replace")
    # 3. the bundle made before the loss is still taken
    merge(p, "T1", in_flight)
    # 4. the township's copy rebuilds the grid's ledger
    merge(p, "G1new", export(p, "T1", "--for", "G1"))
    assert visits(p, "G1new") == before_loss and len(before_loss) == 4
    assert households(p, "G1new") == households(p, "G1")

    # the thief's bundles, even backdated to before the loss, are refused: the cut-off is a sequence number
    old = Ledger.open(Path(p["G1"]))
    with old.write() as w:
        hid = old.query("SELECT id FROM households LIMIT 1")[0]["id"]
        w.event("visit", hid, {"note": "forged"}, date="2026-05-01")
    late = Path(export_bundle(old, d / "thief.zip",
                              now=dt.datetime.fromisoformat(lost_at) - dt.timedelta(days=30)).path)
    old.close()
    refused(p, "T1", late, ["revoked"])

    # the new laptop carries on, and the county follows the replacement
    visit(p, "G1new", "G101", "2026-05-02", 3000)
    merge(p, "T1", export(p, "G1new"))
    merge(p, "C", export(p, "T1"))
    assert visits(p, "C") == visits(p, "G1new") == visits(p, "T1")  # every visit, everywhere
    assert len(visits(p, "C")) == 5
    for name in ("T1", "C", "G1new"):
        assert json.loads(grid(d, "--ledger", p[name], "verify", "--json").output)["ok"]
    replicas = Ledger.open(Path(p["C"]))
    try:  # the county learned of the replacement and the cut-off from the township's statements
        rows = replicas.query("SELECT r.retired_at, k.revoked_upto FROM replicas r JOIN trusted_keys k ON k.replica = r.id"
                              " WHERE r.level = 'grid' AND r.code = 'G1' ORDER BY r.first_seen")
        assert len(rows) == 2 and rows[0]["retired_at"] and rows[1]["retired_at"] is None
        assert rows[0]["revoked_upto"] == made["last_own"] and rows[1]["revoked_upto"] is None
    finally:
        replicas.close()
