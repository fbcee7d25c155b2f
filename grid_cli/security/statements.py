"""Statements about keys: how a ledger learns the keys of replicas it never enrolled, and their revocations.

A hub states what it decided about the keys it enrolled itself (its grids for a township, its townships for
the county, and its own parent for a township's grids) as changes in its own log (entity `key`). So a
statement is chained, covered by its issuer's signed head, numbered (a revocation's cut-off covers it: a
stolen hub key cannot vouch for anything after it) and travels with the bundles, up and down, like the
year's rules. A receiver takes a statement about replica R from issuer I only when
  - R is neither this ledger nor a key enrolled here (this ledger's own decisions stand), and
  - I is R's parent place (the township of a grid, the county of a township), or R is I's parent and I is
    this ledger's own enrolled parent (a grid learns the county's key from its township);
and the issuer's newest statement about R is the one in force. Other statements stay in the log, unused.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from grid_cli.ledger import Ledger, canonical
from grid_cli.place import CHILD_LEVEL, LEVELS, PARENT_LEVEL, REPLICA_RE, Place, here
from grid_cli.security.keys import fingerprint


def _stated(row: dict, retired_at: str | None) -> dict[str, Any]:
    return {"replica": row["replica"], "level": row["level"], "code": row["code"], "parent": row["parent"],
            "sign_pk": row["sign_pk"], "box_pk": row["box_pk"], "revoked_upto": row["revoked_upto"],
            "retired": bool(retired_at)}


def publish(ledger: Ledger) -> int:
    """Write a statement for each key enrolled here whose state has not been stated yet (a hub: its area
    and its parent). Called before each export, so the statements travel in it. Returns how many."""
    me = here(ledger)
    if me.level == "grid":
        return 0
    rows = ledger.query("SELECT k.*, r.retired_at FROM trusted_keys k LEFT JOIN replicas r ON r.id = k.replica"
                        " WHERE k.via IS NULL ORDER BY k.added_at, k.replica")
    wanted = []
    for row in rows:
        below = row["level"] == CHILD_LEVEL.get(me.level) and row["parent"] == me.code
        above = row["level"] == PARENT_LEVEL.get(me.level) and row["code"] == me.parent
        text = canonical(_stated(row, row["retired_at"]))
        if (below or above) and row["stated"] != text:
            wanted.append((row, text))
    if wanted:
        with ledger.write() as w:
            for row, text in wanted:
                w.statement(row["replica"], json.loads(text))
                w.conn.execute("UPDATE trusted_keys SET stated = ? WHERE replica = ?", (text, row["replica"]))
    return len(wanted)


def key_of(conn, me: Place, replica: str) -> dict | None:
    """The key known here for a replica: this ledger's own, one enrolled here, or one a statement vouched for."""
    if replica == me.replica:
        row = conn.execute("SELECT value FROM meta WHERE key = 'keys'").fetchone()
        if row is None:
            return None
        return {"replica": replica, "level": me.level, "code": me.code, "parent": me.parent,
                "sign_pk": json.loads(row[0])["sign_pk"], "via": None, "revoked_upto": None}
    row = conn.execute("SELECT * FROM trusted_keys WHERE replica = ?", (replica,)).fetchone()
    return dict(row) if row else None


def _valid(key: Any) -> bool:
    try:
        return (isinstance(key, dict) and REPLICA_RE.fullmatch(str(key["replica"])) is not None
                and key["level"] in LEVELS and isinstance(key["code"], str) and key["code"] != ""
                and (key["parent"] is None or isinstance(key["parent"], str))
                and len(bytes.fromhex(key["sign_pk"])) == 32 and len(bytes.fromhex(key["box_pk"])) == 32
                and (key["revoked_upto"] is None or (type(key["revoked_upto"]) is int and key["revoked_upto"] >= 0))
                and type(key["retired"]) is bool)
    except (KeyError, TypeError, ValueError):
        return False


def _authoritative(me: Place, issuer: dict, subject: dict) -> bool:
    if PARENT_LEVEL.get(subject["level"]) == issuer["level"] and subject["parent"] == issuer["code"]:
        return True  # a hub about its own area
    return (PARENT_LEVEL.get(issuer["level"]) == subject["level"] and issuer["parent"] == subject["code"]
            and issuer.get("via") is None and PARENT_LEVEL.get(me.level) == issuer["level"] and me.parent == issuer["code"])


def take(conn, me: Place, issuer: dict, issuer_seq: int, key: Any) -> bool:
    """Apply one statement (from a verified span of `issuer`) if it is in force here. Returns True if taken."""
    if not _valid(key) or key["replica"] == me.replica or not _authoritative(me, issuer, key):
        return False
    held = conn.execute("SELECT via, stated, revoked_at FROM trusted_keys WHERE replica = ?", (key["replica"],)).fetchone()
    if held is not None and (held[0] is None or (held[0] == issuer["replica"] and int(held[1] or 0) >= issuer_seq)):
        return False  # enrolled here, or an older statement than the one in force
    bound = conn.execute("SELECT level, code FROM replicas WHERE id = ?", (key["replica"],)).fetchone()
    if bound is not None and (bound[0], bound[1]) != (key["level"], key["code"]):
        return False  # a replica is bound to one place for good
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
    revoked_at = (held[2] if held is not None and held[2] else now) if key["revoked_upto"] is not None else None
    conn.execute("INSERT OR REPLACE INTO trusted_keys (replica, level, code, parent, sign_pk, box_pk, fingerprint, added_at,"
                 " revoked_at, note, via, revoked_upto, stated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'statement', ?, ?, ?)",
                 (key["replica"], key["level"], key["code"], key["parent"], key["sign_pk"], key["box_pk"],
                  fingerprint(bytes.fromhex(key["sign_pk"]), bytes.fromhex(key["box_pk"])), now, revoked_at,
                  issuer["replica"], key["revoked_upto"], str(issuer_seq)))
    conn.execute("INSERT OR IGNORE INTO replicas (id, level, code, parent, first_seen) VALUES (?, ?, ?, ?, datetime('now'))",
                 (key["replica"], key["level"], key["code"], key["parent"]))
    # the place's current replica is the one the issuer stated last: one it replaced (a lost laptop) retires
    newer = conn.execute("SELECT 1 FROM trusted_keys WHERE level = ? AND code = ? AND replica != ? AND via = ?"
                         " AND CAST(stated AS INTEGER) > ? LIMIT 1",
                         (key["level"], key["code"], key["replica"], issuer["replica"], issuer_seq)).fetchone()
    if key["retired"] or newer:
        conn.execute("UPDATE replicas SET retired_at = datetime('now') WHERE id = ? AND retired_at IS NULL", (key["replica"],))
    else:
        conn.execute("UPDATE replicas SET retired_at = datetime('now') WHERE level = ? AND code = ? AND id != ?"
                     " AND retired_at IS NULL AND id NOT IN (SELECT replica FROM trusted_keys WHERE via IS NULL)",
                     (key["level"], key["code"], key["replica"]))
    return True


def take_new(conn, me: Place, origins: set[str], since: int) -> int:
    """Apply the statements of `origins` (verified) logged by this merge (changes.seq > since)."""
    taken = 0
    for origin, seq, body in conn.execute(
            "SELECT origin, origin_seq, body FROM changes WHERE seq > ? AND entity = 'key' ORDER BY origin, origin_seq",
            (since,)).fetchall():
        if origin not in origins:
            continue
        issuer = key_of(conn, me, origin)
        try:
            key = json.loads(body)["key"]
        except (ValueError, KeyError, TypeError):
            continue
        if issuer is not None and take(conn, me, issuer, seq, key):
            taken += 1
    return taken
