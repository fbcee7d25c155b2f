"""Shared helpers for the export tests (ledger, notice, report): reading back written workbooks, the
patterns of unmasked personal data. The sample-grid fixtures (`demo_db`, `hub_db`) are in conftest.py."""

from __future__ import annotations

from pathlib import Path

ID_RE = r"\d{17}[\dX]"  # a full, unmasked ID number
PHONE_RE = r"1\d{10}"  # a full mobile number


def open_ledger(path: Path):
    from grid_cli.ledger import Ledger

    return Ledger.open(path)


def sheet_values(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def header_row(ws, first: str = "序号") -> tuple[int, list]:
    for i, row in enumerate(ws.iter_rows(values_only=True), 1):
        if row and row[0] == first:
            return i, list(row)
    raise AssertionError(f"no header row starting with {first} in {ws.title}")


def test_support_builds_a_hub(hub_db):
    ledger = open_ledger(hub_db)
    try:
        assert ledger.meta("level") == "township"
        assert {r["grid"] for r in ledger.query("SELECT DISTINCT grid FROM households")} == {"TX-01", "TX-02"}
    finally:
        ledger.close()
