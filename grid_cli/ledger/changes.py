"""What a change is: its canonical line, the hash chain that links an origin's lines, and the mountain
range over that chain. A change is logged (`record_change`) exactly as a bundle carries it, so the chain
travels with the changes and any receiver can check it. What a change does to the ledger's state is
ledger/apply.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from typing import Any

from grid_cli.parse import check_json

TABLES = {"household": "households", "member": "members"}
JSON_FIELDS = {"flags"}
NOT_FIELDS = {"id", "_v"}


def canonical(obj: Any) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# -- the change log's hash chain ---------------------------------------------------------------------
# Each change carries `prev`: the sha256 of the canonical line of the previous change of the same origin
# (GENESIS for seq 1). A change logged before the chain existed has no prev (a legacy prefix). The line is
# what a bundle carries, so the chain travels with the changes and any receiver can check it.
GENESIS = "0" * 64


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def change_line(origin: str, seq: int, hlc: str, entity: str, entity_id: str, body: str,
                prev: str | None = None) -> str:
    """One canonical change line (body is already canonical JSON text), with its newline."""
    link = f',"prev":{_dumps(prev)}' if prev is not None else ""
    return (f'{{"body":{body},"entity":{_dumps(entity)},"hlc":{_dumps(hlc)},"id":{_dumps(entity_id)},'
            f'"origin":{_dumps(origin)}{link},"seq":{int(seq)}}}\n')


def line_hash(line: str | bytes) -> str:
    """The hash a change is known by in the chain: sha256 of its line without the newline."""
    data = line.encode("utf-8") if isinstance(line, str) else line
    return hashlib.sha256(data.rstrip(b"\n")).hexdigest()


# The columns of a `changes` row that make its line, in `change_line`'s order (SELECT LINE_COLUMNS ...).
LINE_COLUMNS = "origin, origin_seq, hlc, entity, entity_id, body, prev"


def row_hash(row) -> str:
    """The chain hash of a `changes` row read as LINE_COLUMNS."""
    return line_hash(change_line(*row))


def head(conn: sqlite3.Connection, origin: str) -> tuple[int, str]:
    """(last seq, its hash) of an origin's changes held here; (0, GENESIS) if none."""
    row = conn.execute(f"SELECT {LINE_COLUMNS} FROM changes WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1",
                       (origin,)).fetchone()
    return (row[1], row_hash(tuple(row))) if row else (0, GENESIS)



# -- the mountain range over an origin's chain --------------------------------------------------------
# A bundle may carry an origin's changes with holes (a down bundle holds only the recipient's households;
# up bundles leave rule changes out). The hash chain cannot be followed across a hole without the missing
# lines, so each origin also keeps a Merkle mountain range of its change hashes: aligned blocks of 1, 2,
# 4 ... changes, each block the hash of its two halves; the peaks of the range, bagged with their count,
# are what its signed head holds (security/heads.py). A relay proves the changes it sends with the hashes
# of the aligned blocks it leaves out (about log n of them per gap), and cannot change, insert or
# re-attribute a change without a second preimage of sha256. Positions count from `start`, the origin's
# legacy horizon (its changes up to it were made before heads existed; 0 for a ledger made since).
CHAIN_NODE, CHAIN_BAG = b"\x01", b"\x02"


def chain_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(CHAIN_NODE + left + right).digest()


def chain_bag(count: int, peaks: list[bytes]) -> bytes:
    return hashlib.sha256(CHAIN_BAG + count.to_bytes(8, "big") + b"".join(peaks)).digest()


class Mountains:
    """A mountain range built left to right: an aligned block pushed next to its left sibling merges with it.
    Blocks are (level, index of its first change from 0, hash); a complete range for `count` changes has
    one peak per set bit of `count`, largest first."""

    def __init__(self, count: int = 0, peaks: list[bytes] | None = None):
        self.stack: list[tuple[int, int, bytes]] = []
        index = 0
        for level, digest in zip([b for b in range(63, -1, -1) if count >> b & 1], peaks or []):
            self.stack.append((level, index, digest))
            index += 1 << level
        self.count = index

    def push(self, level: int, index: int, digest: bytes) -> None:
        """The next aligned block (the caller checks it starts at `self.count` and is aligned)."""
        stack = self.stack
        stack.append((level, index, digest))
        self.count = index + (1 << level)
        while len(stack) > 1:
            (l1, i1, h1), (l2, i2, h2) = stack[-2], stack[-1]
            if l1 != l2 or i2 != i1 + (1 << l1) or i1 >> (l1 + 1) << (l1 + 1) != i1:
                break
            stack[-2:] = [(l1 + 1, i1, chain_node(h1, h2))]

    def complete(self) -> bool:
        """The peaks are exactly those of `count` (no block left unmerged where a larger one belongs)."""
        return [level for level, _i, _h in self.stack] == [b for b in range(63, -1, -1) if self.count >> b & 1]

    def peaks(self) -> list[bytes]:
        return [digest for _l, _i, digest in self.stack]

    def acc(self) -> bytes:
        return chain_bag(self.count, self.peaks())


def own_chain(conn: sqlite3.Connection, origin: str, upto: int) -> tuple[int, Mountains]:
    """(start, mountain range up to `upto`) of this ledger's own chain, from meta.chain (kept by the Writer);
    built again from the log if the record does not match it (never in normal use)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'chain'").fetchone()
    state = json.loads(row[0]) if row else {"start": 0, "seq": 0, "peaks": []}
    start = int(state["start"])
    if state.get("seq") == upto and upto >= start:
        return start, Mountains(upto - start, [bytes.fromhex(p) for p in state.get("peaks") or []])
    mountains = Mountains()
    for row in conn.execute(f"SELECT {LINE_COLUMNS} FROM changes WHERE origin = ? AND origin_seq > ? AND origin_seq <= ?"
                            " ORDER BY origin_seq", (origin, start, upto)):
        mountains.push(0, row[1] - start - 1, bytes.fromhex(row_hash(tuple(row))))
    return start, mountains


def record_change(conn: sqlite3.Connection, change: dict) -> str:
    """Append a change to the log and return its chain hash. A member put that does not name the household
    is stamped with the member's current household (`h`), so a receiver can check the change's scope
    without the member's history."""
    body = change["body"]
    if change["entity"] == "member" and body.get("op") == "put" and "household_id" not in body["f"] \
            and "h" not in body:
        row = conn.execute("SELECT household_id FROM members WHERE id = ?", (change["id"],)).fetchone()
        if row is not None and row[0]:
            body["h"] = row[0]
    row = (change["origin"], change["seq"], change["hlc"], change["entity"], change["id"],
           canonical(change["body"]), change.get("prev"))
    check_json(row[5], body.get("f") or body.get("data") or body)  # a control character is refused at the door
    change["row"] = conn.execute(
        "INSERT INTO changes (origin, origin_seq, hlc, entity, entity_id, body, prev) VALUES (?, ?, ?, ?, ?, ?, ?)",
        row).lastrowid  # an event is found through this row (event_index.change_seq)
    return row_hash(row)


# Why a change is held back in `quarantine` (sync/intake.py writes them; security/heads.py and
# sync/quarantine.py read them).
FUTURE = "clock far in the future"
FORK = "same origin and seq with different content"
# Events about the ledger itself, not a household (a level's own rule value, rules/config.py): the only
# events that may name no household, here and in a merged bundle (ledger/apply.py, sync/admission.py).
LEDGER_EVENTS = ("local_rule",)
# A field's version: "<hlc> <origin>" (the change that wrote it).
VERSION_RE = re.compile(r"[0-9]{13}\.[0-9]{5} [0-9A-Za-z_-]{1,64}")
