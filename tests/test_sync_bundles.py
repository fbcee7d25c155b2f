"""Sync bundles through the CLI: the round trip, refusals (each leaves the ledger unchanged), gaps,
quarantine of far-future clocks, conflicts and their resolution. Every ledger here is made by `grid init`
(so it has keys) and enrolled along the tree, so every bundle is signed and encrypted; the crafted bundles
are re-sealed with the sender's real keys (tests/sealing.py) so the checks behind the envelope show."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from grid_cli.clock import format_hlc, wall_ms
from grid_cli.ledger import Ledger
from grid_cli.sync.digest import digest
from sealing import canonical_line
from synckit import GRID, export, grid, merge, refused, rewrite, state


# -- the round trip ----------------------------------------------------------------------------
def test_round_trip_converges_and_remerge_is_a_no_op(tree):
    p = tree
    merge(p, "T1", export(p, "G1"), export(p, "G2"))
    merge(p, "C", export(p, "T1"))
    merge(p, "T1", export(p, "C", "--for", "T1"))
    for g in ("G1", "G2"):
        merge(p, g, export(p, "T1", "--for", g))
    ledgers = {n: Ledger.open(Path(p[n])) for n in ("C", "T1", "G1", "G2")}
    try:
        for g in ("G1", "G2"):
            assert digest(ledgers[g], [g], config=False) == digest(ledgers["T1"], [g], config=False) \
                == digest(ledgers["C"], [g], config=False)
        assert ledgers["G1"].config(2026)["threshold"] == 7600
        assert ledgers["C"].query("SELECT count(*) AS n FROM households")[0]["n"] == 6
    finally:
        for ledger in ledgers.values():
            ledger.close()
    before = state(p, "C")
    bundles = sorted(p["dir"].glob("*.zip"))
    result = merge(p, "C", bundles[2])  # a replay is skipped, with a line: not a failure
    assert "skipped" in result.output and "already merged" in result.output
    assert state(p, "C") == before


def test_status_json_reports_origins_and_last_merge(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    info = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "status", "--json").output)
    assert info["level"] == "township" and info["area"] == ["G1", "G2"]
    g1 = [o for o in info["origins"] if o["code"] == "G1"][0]
    assert g1["received"] == 6 and g1["gaps"] == []  # 3 households and their heads
    assert g1["covered_to"] == 7  # and the grid's own rules from `grid init`, which stay local (not sent up)
    assert info["last_merge"]["applied"] == 6


def test_acknowledged_changes_are_not_sent_again(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))  # carries T1's acknowledgement
    again = export(p, "G1")
    with zipfile.ZipFile(again) as zf:
        assert json.loads(zf.read("manifest.json"))["payload"]["lines"] == 0


def test_gap_is_reported_then_filled(tree):
    p = tree
    first = export(p, "G1")                # seqs 1..n
    grid(p["dir"], "--ledger", p["G1"], "household", "add", "--hh-no", "G1099", "--head", "新户")
    both = export(p, "G1")                 # not acknowledged yet: 1..n+2
    with zipfile.ZipFile(first) as zf:
        upto = max(hi for r in json.loads(zf.read("manifest.json"))["ranges"].values() for _, hi in r)

    def later_only(lines):
        return [line for line in lines if json.loads(line)["seq"] > upto]

    def later_ranges(m):
        for origin in m["ranges"]:
            m["ranges"][origin] = [[upto + 1, hi] for _, hi in m["ranges"][origin]]
            m["counts"][origin] = 2

    late = rewrite(both, p["dir"] / "late.zip", lines=later_only, manifest=later_ranges, p=p)
    out = merge(p, "T1", late).output
    assert "gap" in out
    info = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "status", "--json").output)
    assert [o["gaps"] for o in info["origins"] if o["code"] == "G1"] == [[[1, upto]]]
    merge(p, "T1", first)
    info = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "status", "--json").output)
    assert [o["gaps"] for o in info["origins"] if o["code"] == "G1"] == [[]]
    assert len(json.loads(grid(p["dir"], "--ledger", p["T1"], "household", "list", "--json").output)) == 4


# -- refusals: each whole, one line, exit 1, ledger unchanged ----------------------------------
def test_truncated_bundle_is_refused(tree):
    b = export(tree, "G1")
    cut = tree["dir"] / "cut.zip"
    cut.write_bytes(b.read_bytes()[: b.stat().st_size // 2])
    refused(tree, "T1", cut, ["incomplete", "damaged"])


def test_altered_payload_is_refused(tree):
    b = export(tree, "G1")
    forged = rewrite(b, tree["dir"] / "forged.zip", lines=lambda ls: [line.replace("户主0", "户主X") for line in ls],
                     fix_hash=False, p=tree)
    refused(tree, "T1", forged, ["sha256"])


def test_altered_counts_are_refused(tree):
    b = export(tree, "G1")
    forged = rewrite(b, tree["dir"] / "forged.zip", lines=lambda ls: ls[:-1], p=tree)
    refused(tree, "T1", forged, ["number of changes"])


@pytest.mark.parametrize("kind", ["text", "no-manifest", "format", "version"])
def test_wrong_format_is_refused(tree, kind):
    path = tree["dir"] / f"{kind}.zip"
    if kind == "text":
        path.write_text("household,name\n1,张三\n", encoding="utf-8")
    elif kind == "no-manifest":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("changes.jsonl", "")
    else:
        change = {"format": lambda m: m.update(format="other"), "version": lambda m: m.update(version=99)}[kind]
        rewrite(export(tree, "G1"), path, manifest=change, p=tree)
    refused(tree, "T1", path, ["not a valid", "newer grid"])


def test_bundle_from_an_unknown_replica_is_refused(tree):
    merge(tree, "T1", export(tree, "G1"))
    impostor = str(tree["dir"] / "impostor.db")  # another ledger claiming to be grid G1
    grid(tree["dir"], "--ledger", impostor, "init", "--grid", "G1", *GRID)
    # enrolment files are not secret: the impostor can adopt G1's and seal a bundle to T1's real key
    grid(tree["dir"], "--ledger", impostor, "enroll", str(tree["dir"] / "G1-enrol.json"), "--out",
         str(tree["dir"] / "impostor-public.json"))
    grid(tree["dir"], "--ledger", impostor, "household", "add", "--hh-no", "X1", "--head", "某人")
    refused(tree, "T1", export(dict(tree, X=impostor), "X"), ["unknown key", "another replica"])
    # and the township will not trust the impostor's key for G1 without --replace
    added = grid(tree["dir"], "--ledger", tree["T1"], "trust", "add", str(tree["dir"] / "impostor-public.json"), ok=False)
    assert added.exit_code == 1 and "already enrolled" in added.output


def test_change_from_an_undeclared_origin_is_refused(tree):
    b = export(tree, "G1")

    def other_origin(lines):
        change = json.loads(lines[0])
        change["origin"] = "f" * 32
        return [json.dumps(change, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", *lines[1:]]

    refused(tree, "T1", rewrite(b, tree["dir"] / "o.zip", lines=other_origin, p=tree), ["does not declare"])


def test_grid_outside_the_townships_area_is_refused(tree):
    p = dict(tree, G9=str(tree["dir"] / "G9.db"))
    grid(p["dir"], "--ledger", p["G9"], "init", "--grid", "G9", *GRID)
    issued = grid(p["dir"], "--ledger", p["T1"], "trust", "issue", "G9", ok=False)
    assert issued.exit_code == 2 and "not within" in issued.output
    # G9 trusts T1's public key from above and seals a bundle to it: T1 knows no key for G9
    grid(p["dir"], "--ledger", p["T1"], "keys", "show", "--public", str(p["dir"] / "T1-public.json"))
    grid(p["dir"], "--ledger", p["G9"], "trust", "add", str(p["dir"] / "T1-public.json"))
    refused(p, "T1", export(p, "G9"), ["not enrolled"])
    grid(p["dir"], "--ledger", p["G9"], "keys", "show", "--public", str(p["dir"] / "G9-public.json"))
    added = grid(p["dir"], "--ledger", p["T1"], "trust", "add", str(p["dir"] / "G9-public.json"), ok=False)
    assert added.exit_code == 1 and "neither within" in added.output


def test_grid_touching_another_grids_household_is_refused(tree):
    p = tree
    merge(p, "T1", export(p, "G1"), export(p, "G2"))
    ledger = Ledger.open(Path(p["T1"]))
    g2_household = ledger.query("SELECT id FROM households WHERE grid = 'G2' LIMIT 1")[0]["id"]
    ledger.close()
    g1 = Ledger.open(Path(p["G1"]))
    with g1.write() as w:  # G1 records a visit on a G2 household (a forged or confused bundle)
        w.event("visit", g2_household, {"note": "x"}, date="2026-03-01")
    g1.close()
    refused(p, "T1", export(p, "G1"), ["outside its area"])


def test_grid_moving_a_household_is_refused(tree):
    p = tree
    g1 = Ledger.open(Path(p["G1"]))
    hid = g1.query("SELECT id FROM households LIMIT 1")[0]["id"]
    with g1.write() as w:
        w.put("household", hid, {"grid": "G2"})
    g1.close()
    refused(p, "T1", export(p, "G1"), ["township decision"])


def test_bundle_for_another_ledger_is_refused(tree):
    refused(tree, "G2", export(tree, "G1"), ["is for township T1"])
    refused(tree, "C", export(tree, "G1"), ["is for township T1"])


def test_rules_from_below_are_refused(tree):
    b = export(tree, "G1")

    def config_line(lines):
        origin = json.loads(lines[0])["origin"]
        seq = max(json.loads(line)["seq"] for line in lines) + 1
        change = {"origin": origin, "seq": seq, "hlc": format_hlc(wall_ms(), 0), "entity": "config", "id": "2026",
                  "body": {"op": "config", "f": {"threshold": 1}, "b": {"threshold": None}},
                  "prev": hashlib.sha256(lines[-1].rstrip("\n").encode("utf-8")).hexdigest()}  # a well-chained line
        return [*lines, canonical_line(change)]

    def widen(m):
        for origin in m["ranges"]:
            m["ranges"][origin][-1][1] += 1
            m["counts"][origin] += 1

    refused(tree, "T1", rewrite(b, tree["dir"] / "cfg.zip", lines=config_line, manifest=widen, p=tree), ["rules"])


# -- quarantine, conflicts ---------------------------------------------------------------------
def test_far_future_clock_is_quarantined_not_applied(tree):
    b = export(tree, "G1")
    future = format_hlc(wall_ms() + 3 * 24 * 3600 * 1000, 0)

    def skew(lines):
        change = json.loads(lines[-1])
        change["hlc"] = future
        return [*lines[:-1], json.dumps(change, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"]

    merge(tree, "T1", rewrite(b, tree["dir"] / "skew.zip", lines=skew, p=tree))
    info = json.loads(grid(tree["dir"], "--ledger", tree["T1"], "sync", "status", "--json").output)
    assert info["quarantined"] == 1
    ledger = Ledger.open(Path(tree["T1"]))
    assert ledger.meta("hlc") < future  # the clock did not jump ahead
    ledger.close()


def test_concurrent_edits_keep_the_loser_and_a_pick_syncs(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    grid(p["dir"], "--ledger", p["G1"], "household", "edit", "G100", "--phone", "13900000001")
    grid(p["dir"], "--ledger", p["T1"], "household", "edit", "G100", "--phone", "13900000002")
    merge(p, "T1", export(p, "G1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    rows = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "conflicts", "--json", "--unmasked").output)
    assert len(rows) == 1 and {rows[0]["kept_value"], rows[0]["lost_value"]} == {"13900000001", "13900000002"}
    lost = rows[0]["lost_value"]
    grid(p["dir"], "--ledger", p["T1"], "sync", "conflicts", "--pick", str(rows[0]["id"]), "lost")
    assert json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "conflicts", "--json").output) == []
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    shown = json.loads(grid(p["dir"], "--ledger", p["G1"], "household", "show", "G100", "--json", "--unmasked").output)
    assert shown["phone"] == lost
    # the pick saw the kept value, so it settles the same conflict on the grid too
    assert json.loads(grid(p["dir"], "--ledger", p["G1"], "sync", "conflicts", "--json").output) == []


def test_same_value_is_not_a_conflict(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    grid(p["dir"], "--ledger", p["G1"], "household", "edit", "G100", "--phone", "13900000001")
    grid(p["dir"], "--ledger", p["T1"], "household", "edit", "G100", "--phone", "13900000001")
    merge(p, "T1", export(p, "G1"))
    assert json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "conflicts", "--json").output) == []



def test_export_into_a_new_folder_creates_it_and_names_the_bundle(tree):
    p = tree
    folder = p["dir"] / "发乡镇"
    grid(p["dir"], "--ledger", p["G1"], "sync", "export", "--out", str(folder))
    [bundle] = folder.glob("*.zip")
    assert bundle.name.startswith("grid-G1-to-T1-")
    merge(p, "T1", bundle)


def test_conflict_lists_mask_phones_unless_unmasked(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    grid(p["dir"], "--ledger", p["T1"], "household", "edit", "G100", "--phone", "13800001111")
    grid(p["dir"], "--ledger", p["G1"], "household", "edit", "G100", "--phone", "13999998888")
    merge(p, "T1", export(p, "G1"))
    shown = grid(p["dir"], "--ledger", p["T1"], "sync", "conflicts").output
    assert "138****1111" in shown and "13800001111" not in shown and "13999998888" not in shown
    full = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "conflicts", "--unmasked", "--json").output)
    assert {full[0]["kept_value"], full[0]["lost_value"]} == {"13800001111", "13999998888"}
    audit = Ledger.open(Path(p["T1"]))
    try:
        assert "unmasked" in {r["action"] for r in audit.query("SELECT action FROM audit")}
    finally:
        audit.close()


def test_any_flipped_header_bit_is_refused_never_a_crash(tree):
    """Found by the property test: a flipped bit in a zip header can name a compression method that does
    not exist. Every byte of every zip header, three bits each: refused as damaged, or (a timestamp)
    harmless — never a crash."""
    import gc
    import shutil
    import zipfile

    from grid_cli.sync import merge_bundle
    from grid_cli.errors import BundleRefused

    p = tree
    bundle = export(p, "G1")
    data = bundle.read_bytes()
    with zipfile.ZipFile(bundle) as zf:
        starts = [info.header_offset for info in zf.infolist()]
    # the local headers, and the central directory at the end (what zipfile actually trusts)
    positions = sorted({s + k for s in starts for k in range(30)} | set(range(len(data) - 300, len(data))))
    pristine = p["dir"] / "T1-pristine.db"
    shutil.copy(p["T1"], pristine)
    refused = harmless = 0
    ledger = Ledger.open(Path(p["T1"]))
    try:
        for n, pos in enumerate(positions):
            for bit in (0, 3, 7):
                forged = bytearray(data)
                forged[pos] ^= 1 << bit
                path = p["dir"] / f"flip{n}-{bit}.zip"
                path.write_bytes(bytes(forged))
                try:
                    merge_bundle(ledger, path)
                except BundleRefused:
                    refused += 1
                else:  # merged: the same signed content; start the next flip from the pristine ledger
                    harmless += 1
                    ledger.close()
                    gc.collect()  # connections the in-process CLI runs left to the collector hold the files open
                    shutil.copy(pristine, p["T1"])
                    for suffix in ("-wal", "-shm"):
                        Path(p["T1"] + suffix).unlink(missing_ok=True)
                    ledger = Ledger.open(Path(p["T1"]))
                path.unlink()
    finally:
        ledger.close()
    assert refused and harmless  # both kinds of flip were met, and none crashed


def test_scope_shows_and_extends_a_hubs_area(tree):
    p = tree
    added = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "scope", "--add", "G3", "--json").output)
    assert added == {"area": ["G1", "G2", "G3"], "added": ["G3"]}
    status = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "status", "--json").output)
    assert status["area"] == ["G1", "G2", "G3"]
    refused_here = grid(p["dir"], "--ledger", p["G1"], "sync", "scope", "--add", "G9", ok=False)
    assert refused_here.exit_code == 2 and "no area below it" in refused_here.output
