"""Checking the change log's hash chains (`grid verify`).

Every change of an origin carries `prev`, the hash of that origin's previous change (store.change_line,
store.line_hash). Walking one origin's changes in seq order, each held pair (n-1, n) must link:
prev(n) == hash(n-1). A change with no prev is a legacy change (logged before the chain existed) and may
only follow other legacy changes. Holes (seqs this ledger never received, e.g. another grid's changes
filtered out of a down bundle) cannot be checked and are counted; this ledger's own changes must have none.
A ledger that edited a logged change, deleted one or re-issued a seq breaks its own chain; a grid that
rewrote its history after sending it breaks the chain its township holds (merge refuses such bundles).
"""

from __future__ import annotations

from typing import Any

from grid_cli.ledger.changes import GENESIS, LINE_COLUMNS, row_hash
from grid_cli.place import here


def verify_chains(ledger) -> list[dict[str, Any]]:
    """Per origin: {origin, level, code, self, changes, links, holes, ok, first_bad, reason}."""
    conn = ledger.conn
    me = ledger.replica_id
    places = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, level, code FROM replicas")}
    place = here(ledger)
    mine = (place.level, place.code)
    out: list[dict[str, Any]] = []
    cur: dict[str, Any] | None = None
    last: tuple | None = None  # (seq, hash, had prev)

    rows = conn.execute(f"SELECT {LINE_COLUMNS} FROM changes ORDER BY origin, origin_seq")
    for row in rows:
        origin, seq, prev = row[0], row[1], row[6]
        if cur is None or cur["origin"] != origin:
            place = mine if origin == me else places.get(origin, (None, None))
            cur = {"origin": origin, "level": place[0], "code": place[1], "self": origin == me, "changes": 0,
                   "links": 0, "holes": 0, "ok": True, "first_bad": None, "reason": None}
            out.append(cur)
            last = None
        cur["changes"] += 1
        h = row_hash(tuple(row))
        if cur["ok"]:
            expected = (last[0] + 1) if last else 1
            bad = None
            if seq != expected and (last is not None or cur["self"]):
                if cur["self"]:
                    bad = (expected, "missing")  # this ledger's own log must be whole
                else:
                    cur["holes"] += 1
            elif seq == 1 and last is None:
                if prev not in (None, GENESIS):
                    bad = (seq, "link")
            elif last is not None and seq == last[0] + 1:
                cur["links"] += 1
                if prev is None and last[2]:
                    bad = (seq, "link-removed")
                elif prev is not None and prev != last[1]:
                    bad = (seq, "link")
            if bad is not None:
                cur["ok"], cur["first_bad"], cur["reason"] = False, bad[0], bad[1]
        last = (seq, h, prev is not None)
    return out
