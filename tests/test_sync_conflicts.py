"""Causal conflict bookkeeping (ledger/apply.py): a conflict is a version of a field that is not the winner,
that no write had as its base, and whose value differs from the winner's. The rows are a function of the
set of versions, so every arrival order gives the same open conflicts; a base is believed only if it is
earlier than its write."""

from __future__ import annotations

import itertools

import pytest

from grid_cli.ledger import Ledger
from grid_cli.ledger.apply import apply_change


def version(hlc_ms: int, origin: str) -> str:
    return f"{hlc_ms:013d}.00000 {origin}"


# (name, ms, origin, value, bases): A then B by the grid (B replaced A); C by the township had B; D concurrent
# with all (a lost edit); E claims to have seen D although it was written before it (a forged base).
VERSIONS = [
    ("A", 1000, "grid", "a", []),
    ("B", 2000, "grid", "b", ["A"]),
    ("C", 4000, "town", "c", ["B"]),
    ("D", 3000, "other", "d", []),
    ("E", 1500, "grid2", "e", ["D"]),
]


def apply_all(ledger: Ledger, order) -> set[tuple[str, str]]:
    named = {name: version(ms, origin) for name, ms, origin, _v, _b in VERSIONS}
    ledger.conn.execute("DELETE FROM households")
    ledger.conn.execute("DELETE FROM conflicts")
    ledger.conn.execute("DELETE FROM claims")
    for seq, (name, ms, origin, value, bases) in enumerate(order, start=1):
        apply_change(ledger.conn, {"origin": origin, "seq": seq, "hlc": f"{ms:013d}.00000", "entity": "household", "id": "h1",
                                   "body": {"op": "put", "f": {"address": value}, "b": {"address": [named[b] for b in bases]}}})
    by_version = {v: n for n, v in named.items()}
    return {(by_version[r["lost_version"]], r["status"]) for r in ledger.query("SELECT lost_version, status FROM conflicts")
            if r["status"] == "open"}


@pytest.fixture
def ledger(tmp_path):
    opened = Ledger.create(tmp_path / "x.db", {"level": "grid", "grid_code": "G1", "township": "T1", "county": "C", "year": 2026})
    yield opened
    opened.close()


def test_every_arrival_order_gives_the_same_open_conflicts(ledger):
    """Winner C. Open: D (nobody saw it: E's claim is not believed, E is earlier) and E (nobody saw it).
    Never open: A (replaced by its own author), B (C had it)."""
    results = {frozenset(apply_all(ledger, order)) for order in itertools.permutations(VERSIONS)}
    assert results == {frozenset({("D", "open"), ("E", "open")})}
    assert ledger.query("SELECT address FROM households") == [{"address": "c"}]


def test_a_base_not_held_yet_settles_its_version_when_it_comes(ledger):
    """C (which had B) comes before B: B, arriving later, is born replaced, not lost."""
    subset = [v for v in VERSIONS if v[0] in "BC"]
    assert apply_all(ledger, subset[::-1]) == set() == apply_all(ledger, subset)


def test_an_equal_value_is_not_open_until_the_winner_differs(ledger):
    ledger.conn.execute("DELETE FROM conflicts")
    for seq, (ms, origin, value, bases) in enumerate([(1000, "g", "x", []), (2000, "t", "x", [])], start=1):
        apply_change(ledger.conn, {"origin": origin, "seq": seq, "hlc": f"{ms:013d}.00000", "entity": "household",
                                   "id": "h2", "body": {"op": "put", "f": {"address": value}, "b": {"address": bases}}})
    assert [r["status"] for r in ledger.query("SELECT status FROM conflicts WHERE entity_id = 'h2'")] == ["same"]


def test_a_reimport_conflict_follows_the_winner_and_its_pick_writes_no_base_that_would_travel(run, ledger_path):
    """A re-import's conflict (importer/reconcile.record_conflict) is a local row of the same queue: its
    lost "version" names the file's value, not a change. A later write keeps its kept value the field's
    winner; picking it writes a change whose base is only real versions (other ledgers read bases)."""
    import json

    from conftest import rows_of

    from grid_cli.importer.reconcile import record_conflict

    assert run("household", "add", "--hh-no", "5301", "--head", "王秀英", "--village", "上寨").exit_code == 0
    [hh] = rows_of(ledger_path, "SELECT id FROM households WHERE hh_no = '5301'")
    ledger = Ledger.open(ledger_path)
    try:
        with ledger.write() as w:
            conflict = record_conflict(w.conn, "household", hh["id"], "village", "上寨", "下寨")
    finally:
        ledger.close()
    assert run("household", "edit", "5301", "--village", "河湾").exit_code == 0
    [row] = rows_of(ledger_path, "SELECT kept_value, status, lost_version FROM conflicts WHERE id = ?", (conflict,))
    assert json.loads(row["kept_value"]) == "河湾" and row["status"] == "open" and row["lost_version"].startswith("import ")
    assert run("sync", "conflicts", "--pick", str(conflict), "lost").exit_code == 0
    [change] = rows_of(ledger_path, "SELECT body FROM changes ORDER BY seq DESC LIMIT 1")
    body = json.loads(change["body"])
    assert body["f"] == {"village": "下寨"}
    assert body["b"]["village"] and not any(b.startswith("import ") for b in body["b"]["village"])
    assert rows_of(ledger_path, "SELECT village FROM households WHERE id = ?", (hh["id"],)) == [{"village": "下寨"}]
