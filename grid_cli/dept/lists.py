"""The department lists a ledger knows: those imported here (`dept_lists`, with their clues) and those
that arrived with households from the hub (their `dept` events)."""

from __future__ import annotations

import json

from grid_cli.dept import EVENT
from grid_cli.dept.kinds import KINDS
from grid_cli.ledger import Ledger


def lists(ledger: Ledger) -> list[dict]:
    """Lists imported here, newest month first, then the lists only received (rows for this area's households)."""
    out = [dict(r) | {"complete": None if r["complete"] is None else json.loads(r["complete"]), "source": "imported"}
           for r in ledger.conn.execute("SELECT kind, month, file, rows, matched, clues, imported_at, superseded_by, complete"
                                        " FROM dept_lists ORDER BY month DESC, kind, imported_at DESC")]
    here = {(r["kind"], r["month"]) for r in out}
    for kind, month, rows, absent in ledger.conn.execute(
            f"SELECT json_extract(data, '$.kind'), json_extract(data, '$.month'), count(*),"
            f" max(json_extract(data, '$.facts.absent') = 1) FROM events"
            f" WHERE kind = '{EVENT}' AND json_extract(data, '$.withdraws') IS NULL GROUP BY 1, 2 ORDER BY 2 DESC, 1"):
        if (kind, month) not in here:  # (a complete roll shows as one by the children it did not name)
            out.append({"kind": kind, "month": month, "file": None, "rows": rows, "matched": rows, "clues": 0,
                        "imported_at": None, "superseded_by": None, "complete": [] if absent else None, "source": "received"})
    return out


def clues(ledger: Ledger, kind: str | None = None) -> list[dict]:
    """Rows of the current lists imported here that match nobody in this ledger's area (线索)."""
    out = []
    for k in ([kind] if kind else list(KINDS)):
        out += [dict(r) | {"kind": k} for r in ledger.conn.execute(
            f"SELECT l.month, d.row, d.name, d.id_number, d.hh_no, d._facts AS facts FROM dept_{k} d"
            " JOIN dept_lists l ON l.id = d.list_id WHERE d.household_id IS NULL AND l.superseded_by IS NULL"
            " ORDER BY l.month DESC, d.row")]
    return out

