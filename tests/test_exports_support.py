"""Shared helpers for the export tests (ledger, notice, report): the sample grid built once per session
with the clock pinned, copied per test; a hub (township) version of it; reading back written workbooks."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import TODAY

ID_RE = r"\d{17}[\dX]"  # a full, unmasked ID number
PHONE_RE = r"1\d{10}"  # a full mobile number


@pytest.fixture(scope="session")
def _demo_master(tmp_path_factory) -> Path:
    from grid_cli.demo import build_demo

    folder = tmp_path_factory.mktemp("demo-master")
    before = os.environ.get("GRID_TODAY")
    os.environ["GRID_TODAY"] = TODAY
    try:
        result = build_demo(folder)
        result.ledger.close()
    finally:
        if before is None:
            os.environ.pop("GRID_TODAY", None)
        else:
            os.environ["GRID_TODAY"] = before
    return folder / "demo.db"


@pytest.fixture
def demo_db(_demo_master, tmp_path) -> Path:
    """A private copy of the sample grid's ledger (60 households, visits, lifecycle steps; today 2026-11-22)."""
    target = tmp_path / "demo.db"
    shutil.copy(_demo_master, target)
    return target


@pytest.fixture
def hub_db(demo_db) -> Path:
    """The sample as a township hub ledger: its households spread over two grids."""
    conn = sqlite3.connect(demo_db)
    with conn:
        conn.execute("UPDATE meta SET value = '\"township\"' WHERE key = 'level'")
        conn.execute("UPDATE households SET grid = CASE WHEN village IN ('上寨', '下寨') THEN 'TX-01' ELSE 'TX-02' END")
    conn.close()
    return demo_db


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
