"""Signed chain heads: every origin's history is checked against that origin's own key, wherever it travels.

Each ledger keeps a Merkle mountain range of its change hashes (ledger/changes.py: aligned blocks of 1, 2, 4
... changes counted from its legacy horizon `start`, each the hash of its halves) and, at each export,
signs its head (origin, n, start, the range's bagged peaks at n) with its Ed25519 key. A bundle carries,
for every origin whose changes it declares (`chain` in the manifest), one signed head and the hashes of the
aligned blocks of that origin's changes start+1..n it leaves out (`blocks`, about log n per gap: a down
bundle holds only the recipient's households, an up bundle leaves rule changes out). The receiver pushes
the lines it reads and the blocks, in order, into a mountain range and must reach the signed peaks: a relay
can leave changes out but cannot alter, insert or re-attribute one (that needs a second preimage of
sha256). Its memory is a stack of log n hashes, whatever the bundle's size. Changes up to `start` (made
before heads existed; none for a ledger made since) are checked as before, by their hash-chain links only.

A relay keeps the heads (`chain_heads`) and the block hashes it received or computed (`chain_nodes`), so it
can prove, with the newest head it can cover, any part of what it holds to the next ledger.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from grid_cli.errors import BadFormat, BadSignature, Rewritten, damaged, require
from grid_cli.ledger.changes import FUTURE, LINE_COLUMNS, Mountains, canonical, chain_node, own_chain, row_hash
from grid_cli.security.keys import verify
from grid_cli.ledger import ranges as R

HEAD_DOMAIN = b"grid-head-v1\n"
CHUNK = 10     # blocks up to 2**10 changes are computed from one read of their leaves
CACHE = 6      # computed blocks of 2**6 changes or more are kept (chain_nodes), so the next export is cheap


def head_message(origin: str, seq: int, start: int, acc: str) -> bytes:
    return canonical({"acc": acc, "origin": origin, "seq": int(seq), "start": int(start)}).encode("utf-8")


def sign_own_head(conn, origin: str, keys) -> int:
    """Sign this ledger's head at its last change (inside a write transaction); returns that seq."""
    upto = conn.execute("SELECT coalesce(max(origin_seq), 0) FROM changes WHERE origin = ?", (origin,)).fetchone()[0]
    start, mountains = own_chain(conn, origin, upto)
    if upto > start and not conn.execute("SELECT 1 FROM chain_heads WHERE origin = ? AND seq = ?", (origin, upto)).fetchone():
        acc = mountains.acc().hex()
        sig = keys.sign(head_message(origin, upto, start, acc), HEAD_DOMAIN).hex()
        conn.execute("INSERT INTO chain_heads VALUES (?, ?, ?, ?, ?)", (origin, upto, start, acc, sig))
    return upto


def start_of(conn, origin: str, me: str) -> int | None:
    """An origin's legacy horizon as its signed heads state it (None: no head of it is held here)."""
    if origin == me:
        row = conn.execute("SELECT json_extract(value, '$.start') FROM meta WHERE key = 'chain'").fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    row = conn.execute("SELECT start FROM chain_heads WHERE origin = ? ORDER BY seq DESC LIMIT 1", (origin,)).fetchone()
    return row[0] if row else None


# -- the sender's side ---------------------------------------------------------------------------------
@dataclass
class Plan:
    """What an export may declare of one origin, and the head that proves it."""

    start: int
    runs: list[tuple[int, int]]   # the ranges to declare (the legacy part included)
    head: tuple | None            # (seq, acc, sig) of the head the proof reaches; None: legacy changes only


def plan(conn, origin: str, me: str, runs: list[tuple[int, int]], cover: list[tuple[int, int]]) -> Plan | None:
    """Cut an origin's ranges above the recipient's acknowledgement to what this ledger can prove: up to the
    newest signed head whose whole span (start+1 .. head) it covers. Changes after it (none, normally) wait
    for the next bundle. None if nothing of the origin can be relayed yet (no head of it held here)."""
    start = start_of(conn, origin, me)
    if start is None:
        return None
    reach = next((hi for lo, hi in cover if lo <= start + 1 <= hi + 1), start)  # covered without a hole from start+1
    row = conn.execute("SELECT seq, acc, sig FROM chain_heads WHERE origin = ? AND seq <= ? AND seq > ? ORDER BY seq DESC"
                       " LIMIT 1", (origin, reach, start)).fetchone()
    top = row[0] if row else start
    declared = R.union([(lo, min(hi, top)) for lo, hi in runs if lo <= top])
    if not declared:
        return None
    return Plan(start, declared, tuple(row) if row and declared[-1][1] > start else None)


def proof(conn, origin: str, plan_: Plan, sent) -> dict:
    """The manifest's `chain` entry for one origin, once its lines are written (`sent`: their seqs): the head,
    and the aligned blocks covering every change of start+1..head not in the bundle."""
    if plan_.head is None:
        return {"start": plan_.start, "head": None, "blocks": []}
    start, (top, acc, sig) = plan_.start, plan_.head
    blocks = Blocks(conn, origin, start)
    out = []
    for lo, hi in R.minus([(start + 1, top)], R.runs(sorted(s for s in set(sent) if s > start))):
        for level, first in aligned(lo - start - 1, hi - start - 1):
            digest = blocks.hash(level, first)
            if digest is None:  # every covered position has its hash here: a hole would be a bug
                raise RuntimeError(f"no hash for changes {start + 1 + first}.. of {origin}")
            out.append([start + 1 + first, level, digest.hex()])
    return {"start": start, "head": [top, acc, sig], "blocks": out}


def aligned(first: int, last: int):
    """The fewest aligned blocks (level, first index) that exactly cover first..last (indices from 0)."""
    while first <= last:
        level = 0
        while first % (2 << level) == 0 and first + (2 << level) - 1 <= last:
            level += 1
        yield level, first
        first += 1 << level


class Blocks:
    """Hashes of aligned blocks of one origin's changes, from what this ledger holds: the lines in its log
    (and a change held back for its clock), and block hashes it received or computed before."""

    def __init__(self, conn, origin: str, start: int):
        self.conn, self.origin, self.start = conn, origin, start

    def hash(self, level: int, first: int) -> bytes | None:
        row = self.conn.execute("SELECT hash FROM chain_nodes WHERE origin = ? AND first = ? AND level = ?",
                                (self.origin, self.start + 1 + first, level)).fetchone()
        if row is not None:
            return bytes.fromhex(row[0])
        if level > CHUNK:
            left, right = self.hash(level - 1, first), self.hash(level - 1, first + (1 << (level - 1)))
            digest = chain_node(left, right) if left is not None and right is not None else None
        else:
            digest = self._from_leaves(level, first)
        if digest is not None and level >= CACHE:
            self.conn.execute("INSERT OR IGNORE INTO chain_nodes VALUES (?, ?, ?, ?)",
                              (self.origin, level, self.start + 1 + first, digest.hex()))
        return digest

    def _from_leaves(self, level: int, first: int) -> bytes | None:
        lo = self.start + 1 + first
        hi = lo + (1 << level) - 1
        known: dict[tuple[int, int], bytes] = {}
        for row in self.conn.execute(f"SELECT {LINE_COLUMNS} FROM changes WHERE origin = ? AND origin_seq BETWEEN ? AND ?",
                                     (self.origin, lo, hi)):
            known[(0, row[1])] = bytes.fromhex(row_hash(tuple(row)))
        # a genuine change held back for its clock: its hash still counts
        for seq, line in self.conn.execute("SELECT origin_seq, body FROM quarantine WHERE origin = ? AND origin_seq"
                                           " BETWEEN ? AND ? AND reason = ? AND status = 'held'", (self.origin, lo, hi, FUTURE)):
            known.setdefault((0, seq), hashlib.sha256(line.encode("utf-8")).digest())
        for lvl, seq, digest in self.conn.execute("SELECT level, first, hash FROM chain_nodes WHERE origin = ? AND first"
                                                  " BETWEEN ? AND ? AND level <= ?", (self.origin, lo, hi, level)):
            known[(lvl, seq)] = bytes.fromhex(digest)

        def block(lvl: int, seq: int) -> bytes | None:
            found = known.get((lvl, seq))
            if found is not None or lvl == 0:
                return found
            left, right = block(lvl - 1, seq), block(lvl - 1, seq + (1 << (lvl - 1)))
            return chain_node(left, right) if left is not None and right is not None else None

        return block(level, lo)


# -- the receiver's side -------------------------------------------------------------------------------
def check_chain_block(m: dict) -> None:
    """The shape of a manifest's `chain` (raises KeyError/TypeError/AssertionError through `require`)."""
    chain = m["chain"]
    require(isinstance(chain, dict) and set(chain) == set(m["ranges"]))
    for info in chain.values():
        start, head = info["start"], info["head"]
        require(type(start) is int and start >= 0)
        if head is not None:
            require(isinstance(head, list) and len(head) == 3 and type(head[0]) is int and head[0] > start)
            require(_hex(head[1], 64) and _hex(head[2], 128))
        for block in info["blocks"]:
            require(head is not None and isinstance(block, list) and len(block) == 3)
            require(type(block[0]) is int and type(block[1]) is int and 0 <= block[1] < 63 and _hex(block[2], 64))


def _hex(text, size: int) -> bool:
    if not isinstance(text, str) or len(text) != size:
        return False
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _broken(label: tuple[str, str], seq: int) -> Rewritten:
    return Rewritten(f"{label[0]}的变更与其签名的链头不符（第 {seq} 条）：被改动、伪造或插入",
                     f"the changes of {label[1]} do not match its signed head (at change {seq}): altered, forged or inserted",
                     hint_zh="不要合并；请对方重新导出", hint_en="do not merge it; ask for a fresh export")


class OriginProof:
    """Pushes one origin's lines, as the intake reads them, and the blocks left out, in order, into a
    mountain range; `finish` compares its peaks with the signed head."""

    def __init__(self, origin: str, info: dict, label: tuple[str, str]):
        self.origin, self.label, self.start = origin, label, info["start"]
        self.head = info["head"]
        self.top = self.head[0] if self.head else self.start
        self.blocks = sorted((b[0], b[1], b[2]) for b in info["blocks"])
        self.index = 0
        self.next = self.start + 1
        self.mountains = Mountains()
        self.acc: str | None = None

    def add(self, seq: int, digest: bytes) -> None:
        if seq <= self.start:
            return  # a legacy change: its hash-chain links are checked, as before heads
        if seq != self.next:
            self._fill(seq)
        if seq > self.top:
            raise _broken(self.label, seq)  # past its signed head
        self.mountains.push(0, seq - self.start - 1, digest)
        self.next = seq + 1

    def _fill(self, seq: int) -> None:
        """Push the blocks left out before `seq`."""
        if seq < self.next:
            raise damaged("变更重复或顺序不对", "a change appears twice or out of order")
        while self.next < seq:
            if self.index >= len(self.blocks) or self.blocks[self.index][0] != self.next:
                raise _broken(self.label, self.next)  # neither carried nor proven by a block
            first, level, digest = self.blocks[self.index]
            index = first - self.start - 1
            if index % (1 << level) or first + (1 << level) - 1 > self.top:
                raise _broken(self.label, first)
            self.mountains.push(level, index, bytes.fromhex(digest))
            self.next += 1 << level
            self.index += 1
        if self.next != seq:
            raise _broken(self.label, seq)  # a line inside a block left out

    def finish(self) -> None:
        if self.head is None:
            return
        self._fill(self.top + 1)
        if self.index != len(self.blocks) or not self.mountains.complete() \
                or self.mountains.acc().hex() != self.head[1]:
            raise _broken(self.label, self.top)
        self.acc = self.head[1]

    def check_ranges(self, declared: list) -> None:
        """What the manifest declares above the legacy horizon lies within the signed head."""
        if any(hi > self.top for _lo, hi in declared):
            raise BadFormat("同步包的范围超出其链头", "the bundle's ranges go past its signed chain head")

    def verify(self, sign_pk: str) -> None:
        if self.head is None:
            return
        if not verify(sign_pk, head_message(self.origin, self.top, self.start, self.head[1]), bytes.fromhex(self.head[2]),
                      HEAD_DOMAIN):
            raise BadSignature(f"{self.label[0]}的链头签名不符：不是它的密钥签的", f"the signed head of {self.label[1]} "
                               "does not verify with its key: not signed by it", hint_zh="不要合并", hint_en="do not merge it")

    def keep(self, conn) -> None:
        """Remember the head and the blocks, to prove what this ledger holds to the next one."""
        if self.head is None:
            return
        conn.execute("INSERT OR IGNORE INTO chain_heads VALUES (?, ?, ?, ?, ?)",
                     (self.origin, self.top, self.start, self.head[1], self.head[2]))
        conn.executemany("INSERT OR IGNORE INTO chain_nodes VALUES (?, ?, ?, ?)",
                         [(self.origin, level, first, digest) for first, level, digest in self.blocks])
