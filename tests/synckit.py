"""The sync tests' shared steps (the `tree` fixture that uses them is in conftest.py): `grid` through the
CLI, the enrolment round, export and merge by ledger name, a ledger's whole state for "unchanged" checks,
crafted bundles re-sealed with the sender's real key, and a refusal's one line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grid_cli.cli import app
from grid_cli.ledger import Ledger
from sealing import reseal

runner = CliRunner()
GRID = ["--village", "V", "--township", "T1", "--county", "C", "--monitor", "王", "--phone", "13800138000",
        "--threshold", "7600", "--year", "2026"]


def grid(tmp: Path, *args: str, ok: bool = True):
    result = runner.invoke(app, ["--lang", "en", *args], env={"GRID_LANG": "en"})
    if ok:
        assert result.exit_code == 0, result.output
    return result


def enrol_cli(p, parent, child, ledger=None):
    """The enrolment round: the parent issues, the child enrols, the parent trusts the child's public key."""
    d = p["dir"]
    grid(d, "--ledger", p[parent], "trust", "issue", child, "--out", str(d / f"{child}-enrol.json"))
    grid(d, "--ledger", ledger or p[child], "enroll", str(d / f"{child}-enrol.json"), "--out", str(d / f"{child}-public.json"))
    return grid(d, "--ledger", p[parent], "trust", "add", str(d / f"{child}-public.json"), ok=False)


def export(p, name, *extra) -> Path:
    out = p["dir"] / f"b{len(list(p['dir'].glob('*.zip')))}.zip"
    grid(p["dir"], "--ledger", p[name], "sync", "export", "--out", str(out), *extra)
    return out


def merge(p, name, *bundles, ok=True):
    return grid(p["dir"], "--ledger", p[name], "sync", "merge", *map(str, bundles), ok=ok)


def state(p, name):
    ledger = Ledger.open(Path(p[name]))
    try:
        tables = {t: ledger.query(f"SELECT * FROM {t} ORDER BY 1") for t in
                  ("households", "members", "events", "config", "changes", "replicas", "seq_ranges", "acks",
                   "bundles", "conflicts", "quarantine")}
        return json.dumps(tables, sort_keys=True, default=str)
    finally:
        ledger.close()


def rewrite(src: Path, dst: Path, lines=None, manifest=None, fix_hash=True, *, p, sender="G1", recipient="T1") -> Path:
    """A crafted bundle: edit the payload lines and/or manifest; by default fix the payload hash, and sign it
    with the sender's real key (a 'valid' forgery from an insider or a buggy sender)."""
    return reseal(src, dst, p[sender], p[recipient], lines=lines, manifest=manifest, fix_hash=fix_hash)


def refused(p, name, bundle, reason_words):
    before = state(p, name)
    result = merge(p, name, bundle, ok=False)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "refused" in lines[0], result.output
    assert any(w in lines[0] for w in reason_words), lines[0]
    assert state(p, name) == before
    return lines[0]
