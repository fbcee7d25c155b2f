"""A canonical digest of a ledger's synced state (optionally only some grids' part of it), so replicas that
exchanged everything can be compared: households, members, events and the year's rules, with versions."""

from __future__ import annotations

import hashlib
from typing import Iterable

from grid_cli.ledger import Ledger, canonical


def state(ledger: Ledger, grids: Iterable[str] | None = None, *, config: bool = True) -> dict[str, list]:
    conn = ledger.conn
    where, params = "", []
    if grids is not None:
        grids = sorted(grids)
        where = f" WHERE grid IN ({', '.join('?' * len(grids))})"
        params = grids
    hh = [tuple(r) for r in conn.execute(f"SELECT * FROM households{where} ORDER BY id", params)]
    ids = [r[0] for r in hh]
    conn.execute("DROP TABLE IF EXISTS temp.digest_hh")
    conn.execute("CREATE TEMP TABLE digest_hh (id TEXT PRIMARY KEY)")
    conn.executemany("INSERT INTO digest_hh VALUES (?)", [(i,) for i in ids])
    members = [tuple(r) for r in conn.execute(
        "SELECT * FROM members WHERE household_id IN (SELECT id FROM digest_hh) ORDER BY id")]
    ev_where = "household_id IN (SELECT id FROM digest_hh)" + (" OR household_id IS NULL" if grids is None else "")
    events = [tuple(r) for r in conn.execute(f"SELECT * FROM events WHERE {ev_where} ORDER BY id")]
    rules = [tuple(r) for r in conn.execute("SELECT * FROM config ORDER BY year, key")] if config else []
    conn.execute("DROP TABLE temp.digest_hh")
    return {"households": hh, "members": members, "events": events, "config": rules}


def digest(ledger: Ledger, grids: Iterable[str] | None = None, *, config: bool = True) -> str:
    """`config=False` leaves the year's rules out (a grid's own rules from `grid init` stay local)."""
    return hashlib.sha256(canonical(state(ledger, grids, config=config)).encode("utf-8")).hexdigest()
