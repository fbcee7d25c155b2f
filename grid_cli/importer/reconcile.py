"""Re-importing a newer export without undoing what happened here since the last import.

`import_baseline` keeps, per household and member, the fields the last import set or confirmed. For each
field a file gives:
- the ledger already holds that value: nothing to do;
- the ledger holds nothing, or still holds what the last import said: the file's value is applied and
  listed as a change (old -> new);
- the ledger holds something else (a monitor's correction at a visit, a merged change, or a record the
  import has never seen): the ledger's value is kept, listed, and recorded as a conflict in the same
  queue as sync conflicts (`grid sync conflicts`), where `--pick ID lost` takes the file's value.
The baseline then becomes what the file said.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from grid_cli.ledger.changes import canonical


@dataclass
class Outcome:
    write: dict[str, Any]  # fields to put
    changes: list[tuple[str, Any, Any]]  # (field, old, new) applied (old may be None: a field filled in)
    kept: list[tuple[str, Any, Any]]  # (field, ledger's value kept, file's value not taken)


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple, set)):
        return sorted(value)
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):  # a list field as stored
        try:
            return sorted(json.loads(value))
        except ValueError:
            return value
    return value


def same(a: Any, b: Any) -> bool:
    return _plain(a) == _plain(b)


def baseline(conn: sqlite3.Connection, entity: str, entity_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT data FROM import_baseline WHERE entity = ? AND entity_id = ?", (entity, entity_id)).fetchone()
    return json.loads(row[0]) if row else None


def reconcile(current: dict[str, Any], incoming: dict[str, Any], base: dict[str, Any] | None) -> Outcome:
    out = Outcome({}, [], [])
    for field, new in incoming.items():
        held = current.get(field)
        if same(held, new):
            continue
        if held is None or held == [] or (base is not None and field in base and same(base[field], held)):
            out.write[field] = new
            out.changes.append((field, held, new))
        else:
            out.kept.append((field, held, new))
    return out


def remember(conn: sqlite3.Connection, entity: str, entity_id: str, incoming: dict[str, Any],
             base: dict[str, Any] | None) -> None:
    """The baseline becomes what this file said (fields it did not give stay as the last import said)."""
    data = {**(base or {}), **{k: _plain(v) for k, v in incoming.items()}}
    if data != base:
        conn.execute("INSERT OR REPLACE INTO import_baseline VALUES (?, ?, ?)", (entity, entity_id, canonical(data)))


def record_conflict(conn: sqlite3.Connection, entity: str, entity_id: str, field: str, kept: Any, lost: Any) -> int:
    """One re-import conflict in the `conflicts` queue that `grid sync conflicts` lists and settles:
    the ledger's value (kept, with its version) against the file's (lost). The same file value for the
    same field is recorded once, so importing the same file again adds nothing, and a conflict settled
    once is not raised again by the same value. Returns the conflict's id. The row is local (its lost
    version names the file's value, not a change): merges keep its kept value the field's winner and mark
    it 'same' while they agree (ledger/store._meet), and picking it writes no base that would travel."""
    row = conn.execute(f"SELECT _v FROM {'households' if entity == 'household' else 'members'} WHERE id = ?",
                       (entity_id,)).fetchone()
    kept_version = json.loads(row[0]).get(field) if row else None
    lost_version = "import " + hashlib.sha256(canonical(_plain(lost)).encode()).hexdigest()[:16]
    key = (entity, entity_id, field, lost_version)
    held = conn.execute("SELECT id FROM conflicts WHERE entity = ? AND entity_id = ? AND field = ? AND lost_version = ?",
                        key).fetchone()
    if held:  # (asked first: an ignored INSERT would still advance the AUTOINCREMENT counter)
        return held[0]
    return conn.execute(
        "INSERT INTO conflicts (entity, entity_id, field, kept_value, kept_version, lost_value, lost_version, noted_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, datetime('now'))",
        (entity, entity_id, field, canonical(_plain(kept)), kept_version, canonical(_plain(lost)), lost_version)).lastrowid
