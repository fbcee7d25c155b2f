"""`grid sync` and `grid trust` as a township uses them (issue 12): patterns and folders expanded by the
program (a Windows shell leaves `U盘/*.zip` as typed), exit codes that do not make a success look like a
failure, the same bundle merged by two processes at once, tables that fit 80 columns, and times a person
reads or types in their own zone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.cells import cell_len
from test_clock import beijing  # noqa: F401  (a fixture: TZ=Asia/Shanghai)
from synckit import export, grid, merge

from grid_cli.ledger import Ledger


def _rows(path, sql):
    ledger = Ledger.open(Path(path))
    try:
        return ledger.query(sql)
    finally:
        ledger.close()


def _folder_of_bundles(p) -> Path:
    usb = p["dir"] / "U盘"
    for g in ("G1", "G2"):
        grid(p["dir"], "--ledger", p[g], "sync", "export", "--out", str(usb))
    return usb


def test_patterns_and_folders_are_expanded_by_the_program(tree):
    p = tree
    usb = _folder_of_bundles(p)
    out = merge(p, "T1", str(usb / "*.zip")).output  # as a Windows shell passes it: unexpanded
    assert out.count("from grid") == 2
    assert _rows(p["T1"], "SELECT count(*) AS n FROM households")[0]["n"] == 6
    again = merge(p, "T1", str(usb)).output  # a folder: its bundles, each skipped as merged before
    assert again.count("skipped") == 2
    missing = merge(p, "T1", str(usb / "nothing-*.zip"), ok=False)
    assert missing.exit_code == 3 and "no bundle matches" in missing.output
    assert len(missing.output.strip().splitlines()) == 1


def test_a_new_bundle_next_to_a_merged_one_is_a_success(tree):
    p = tree
    old = export(p, "G1")
    merge(p, "T1", old)
    new = export(p, "G2")
    result = merge(p, "T1", old, new)  # exit 0: nothing was refused, the replay is skipped with its own line
    assert "skipped" in result.output and "from grid G2" in result.output
    assert merge(p, "T1", old, new).exit_code == 0  # only replays: still not a failure
    bad = p["dir"] / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not a bundle")
    grid(p["dir"], "--ledger", p["G1"], "household", "add", "--hh-no", "G1099", "--head", "新户")
    newer = export(p, "G1")
    mixed = merge(p, "T1", bad, newer, ok=False)  # a refusal is exit 1; the good one still merged
    assert mixed.exit_code == 1 and "refused bad.zip" in mixed.output and "from grid G1" in mixed.output
    assert _rows(p["T1"], "SELECT count(*) AS n FROM households WHERE hh_no = 'G1099'")[0]["n"] == 1


def test_the_same_bundle_merged_by_two_processes_at_once(tree):
    """One wins; the other waits for it and says the bundle was already merged: both exit 0, never
    'UNIQUE constraint failed ... damaged or in use'."""
    p = tree
    for n in range(3):
        grid(p["dir"], "--ledger", p["G1"], "household", "add", "--hh-no", f"G12{n}", "--head", f"户主{n}")
        bundle = export(p, "G1")
        env = {**os.environ, "GRID_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path)}
        cmd = [sys.executable, "-m", "grid_cli.cli", "--ledger", p["T1"], "sync", "merge", str(bundle)]
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
        outs = [proc.communicate(timeout=300) for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0], outs
        text = "".join(o + e for o, e in outs)
        assert text.count("from grid G1") == 1 and text.count("skipped") == 1, text
        assert "UNIQUE" not in text
    assert _rows(p["T1"], "SELECT count(*) AS n FROM bundles")[0]["n"] == 3


def _fits(output: str) -> list[str]:
    lines = output.splitlines()
    assert lines and max(cell_len(line) for line in lines) <= 80, "\n".join(lines)
    return lines


def test_sync_conflicts_fits_80_columns_with_the_household_and_its_head(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    long = "上寨村第三村民小组后山坡老屋旁边第十二号院内东侧两间平房"
    grid(p["dir"], "--ledger", p["G1"], "household", "edit", "G100", "--set", f"家庭住址={long}甲")
    grid(p["dir"], "--ledger", p["T1"], "household", "edit", "G100", "--set", f"家庭住址={long}乙")
    merge(p, "T1", export(p, "G1"))
    for lang in ("zh", "en"):
        result = grid(p["dir"], "--lang", lang, "--ledger", p["T1"], "sync", "conflicts")
        text = "".join(_fits(result.output))
        assert "G100" in result.output and "户主0" in result.output
        assert long[:6] in text  # folded onto more lines, never cut off


def test_trust_list_fits_80_columns_with_whole_times(tree):
    p = tree
    grid(p["dir"], "--ledger", p["T1"], "trust", "revoke", "G2", "--at", "2026-01-05 15:29")
    for lang in ("zh", "en"):
        result = grid(p["dir"], "--lang", lang, "--ledger", p["T1"], "trust", "list")
        lines = _fits(result.output)
        keys = json.loads(grid(p["dir"], "--ledger", p["T1"], "trust", "list", "--json").output)
        for key in keys:
            assert key["fingerprint"].split()[0] in result.output
        assert sum(1 for line in lines if "2026-" in line) >= len(keys)  # every time shown, none cut


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="TZ switching needs time.tzset")
def test_times_are_read_and_typed_in_local_time_with_the_zone(tree, beijing):
    p = tree
    folder = p["dir"] / "out"
    grid(p["dir"], "--ledger", p["G1"], "sync", "export", "--out", str(folder))
    [bundle] = folder.glob("*.zip")
    assert "+0800-s" in bundle.name  # the bundle's name: local time and zone
    merge(p, "T1", bundle)
    again = merge(p, "T1", bundle).output  # skipped: when it was merged, in local time
    assert "already merged on" in again and "+08:00" in again
    # a time typed at the township is its own local time; stored in UTC, shown back in local time
    grid(p["dir"], "--ledger", p["T1"], "trust", "revoke", "G2", "--at", "2026-01-05 15:29")
    [g2] = [k for k in json.loads(grid(p["dir"], "--ledger", p["T1"], "trust", "list", "--json").output) if k["code"] == "G2"]
    assert g2["revoked_at"].startswith("2026-01-05T07:29")
    listed = grid(p["dir"], "--ledger", p["T1"], "trust", "list").output
    assert "15:29" in listed and "+08:00" in listed
    status = grid(p["dir"], "--ledger", p["T1"], "sync", "status").output
    assert "Last merge: " in status and "+08:00" in status.split("Last merge: ")[1].splitlines()[0]
    inspected = grid(p["dir"], "--ledger", p["T1"], "sync", "inspect", str(bundle)).output
    assert "+08:00" in inspected.splitlines()[0]
    future = grid(p["dir"], "--ledger", p["T1"], "trust", "revoke", "G1", "--at", "2099-01-01 08:00", ok=False)
    assert future.exit_code == 2 and "in the future" in future.output
