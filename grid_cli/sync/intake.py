"""Step 3 of a merge: one streaming pass over a bundle's payload, straight into the change log.

The payload is never held in memory (it is decrypted and inflated on the fly). For each line: its
(origin, seq) against the manifest's ranges and counts, its link in the origin's hash chain, and whether
this ledger holds it already (then it costs its tail and a hash, nothing more). A new line is appended to
`changes` as it is, in batches: the log is written once, and everything else the merge derives from it in
SQL (grid_cli/ledger/apply.py). The sha256 and byte count of the whole payload are checked at the end; any
problem found on the way is reported only after that, so a damaged file says so first. All of it runs
inside the merge's transaction: a refusal rolls the log back with everything else.

A line is the canonical frame {"body":{...},"entity":..,"hlc":..,"id":..,"origin":..,"prev":..,"seq":n}
(grid_cli/ledger/store.change_line). The frame is matched here; the body (a JSON object) is checked by
SQLite's JSON functions over the new rows (ledger/apply.py), which is much faster than decoding each line
in Python.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from array import array
from dataclasses import dataclass, field

from grid_cli.errors import BundleRefused, Rewritten, UnknownOrigin, damaged, unreadable_line
from grid_cli.ledger.changes import FORK, FUTURE, GENESIS, LINE_COLUMNS, row_hash
from grid_cli.ledger import ranges as R
from grid_cli.place import Place, label
from grid_cli.security.envelope import ZIP_ERRORS


BATCH = 4000
# The frame of a change line, in two parts: the tail (origin, prev, seq), read first so that a line this
# ledger holds is skipped after a hash, and the head (body, entity, clock, id). Ids, origins and clocks are
# plain ASCII (no quote, no backslash), so the bytes matched are the value itself; the body is everything
# between, checked as JSON in SQL (never a NUL, which SQLite's JSON functions would take for its end).
TAIL = re.compile(rb',"origin":"([0-9A-Za-z]{1,64})"(?:,"prev":"([0-9a-f]{64})")?,"seq":([1-9][0-9]{0,17})\}')
HEAD = re.compile(rb'\{"body":(\{[^\x00]*\}),"entity":"(event|household|member|config|key)","hlc":"([0-9]{13}\.[0-9]{5})",'
                  rb'"id":"([\x20\x21\x23-\x5b\x5d-\x7e]{1,100})"', re.S)
INSERT = "INSERT INTO changes (origin, origin_seq, hlc, entity, entity_id, body, prev) VALUES (?, ?, ?, ?, ?, ?, ?)"


def rewritten(m: dict, origin: str, seq: int) -> Rewritten:
    info = m["origins"].get(origin) or {}
    zh, en = label(info.get("level", "?"), info.get("code", origin[-8:]))
    return Rewritten(f"{zh}的变更记录被改写过：第 {seq} 条接不上前一条（哈希链断开）",
                     f"the history of {en} was rewritten: change {seq} does not follow on from the one before (hash chain broken)",
                     hint_zh="不要合并；联系乡镇核查该网格的账本", hint_en="do not merge it; have that ledger checked")


@dataclass
class Intake:
    lines: int = 0          # lines in the payload
    logged: int = 0         # new changes appended to the log
    skipped: int = 0        # already held
    quarantined: int = 0
    seqs: dict = field(default_factory=dict)   # origin -> runs of the seqs the payload carries


@dataclass(slots=True)
class Run:
    """Consecutive lines of one origin in the bundle, as the pass meets them."""
    first: int
    last: int
    hash: str                          # the last line's chain hash
    linked: bool                       # the last line carries a `prev`
    held: tuple[int, str] | None       # the last line this ledger already holds: (seq, hash)
    first_prev: str | None             # the first line's `prev`


class _Chain:
    """Each origin's hash chain across the lines of the bundle, and where its runs meet the changes held
    here (checked after the pass, against the log)."""

    def __init__(self, m: dict):
        self.m = m
        self.runs: dict[str, Run] = {}  # origin -> its current run
        self.links: list[tuple] = []

    def add(self, origin: str, seq: int, prev: str | None, h: str, held: bool) -> None:
        run = self.runs.get(origin)
        if run is not None and run.last == seq - 1:
            if (prev != run.hash) if prev is not None else run.linked:
                raise rewritten(self.m, origin, seq)
            run.last, run.hash, run.linked = seq, h, prev is not None
        else:
            if run is not None:
                self._end(origin, run)
            if seq == 1 and prev not in (None, GENESIS):
                raise rewritten(self.m, origin, seq)
            run = self.runs[origin] = Run(seq, seq, h, prev is not None, None, prev)
        if held:
            run.held = (seq, h)

    def _end(self, origin: str, run: Run) -> None:
        self.links.append(("start", origin, run.first, run.first_prev))  # the run's first line follows on from seq-1 here
        self.links.append(("end", origin, run.last, run.hash))           # seq+1 held here follows on from the run
        if run.held is not None:
            self.links.append(("held", origin, *run.held))               # the last held line is the one held here

    def check(self, conn) -> None:
        """Where the bundle's runs meet the changes held here, the chain must hold across: the run's first
        line follows on from the held seq-1, the held seq+1 follows on from the run's last line, and the last
        line of a run that this ledger already holds hashes the same (by the chain, so do all before it)."""
        for origin, run in self.runs.items():
            self._end(origin, run)
        for kind, origin, seq, value in self.links:
            if kind == "start":
                if seq <= 1 or value is None:
                    continue
                row = _held_row(conn, origin, seq - 1)
                if row is not None and value != row_hash(row):
                    raise rewritten(self.m, origin, seq)
            elif kind == "end":
                row = _held_row(conn, origin, seq + 1)
                if row is not None and row[6] is not None and row[6] != value:
                    raise rewritten(self.m, origin, seq + 1)
            else:
                row = _held_row(conn, origin, seq)
                if row is not None and row_hash(row) != value:
                    raise rewritten(self.m, origin, seq)


def _held_row(conn, origin: str, seq: int):
    row = conn.execute(f"SELECT {LINE_COLUMNS} FROM changes WHERE origin = ? AND origin_seq = ?", (origin, seq)).fetchone()
    return tuple(row) if row else None


def _in_log(conn, declared: dict, have: dict, me: str) -> dict[str, set]:
    """Seqs the bundle carries that are in the log here although not counted as held (normally none):
    each is compared with the held change instead of being appended. (This ledger's own are all held.)"""
    out: dict[str, set] = {}
    for origin, runs in declared.items():
        if origin == me:
            continue
        for lo, hi in R.minus(runs, have.get(origin, [])):
            found = {r[0] for r in conn.execute("SELECT origin_seq FROM changes WHERE origin = ? AND origin_seq"
                                                " BETWEEN ? AND ?", (origin, lo, hi))}
            if found:
                out.setdefault(origin, set()).update(found)
    return out


def take_in(conn, me: Place, bundle, have_runs: dict, mine: int, limit_hlc: str, progress=None, *,
            proofs: dict | None = None, sender: str | None = None) -> Intake:
    """Read the payload once: verify it and append its new lines to `changes`. Lines stamped later than
    `limit_hlc` (a clock far in the future) and lines whose seq is taken here by different content go to
    the quarantine instead (a statement about a key is never held back: it carries no field to win).
    Each line's hash is folded into its origin's proof (`proofs`, security/heads.OriginProof), checked
    against the signed heads once the payload is read. Raises a BundleRefused for anything that cannot be
    taken whole."""
    reader = _Reader(conn, me, bundle.manifest, have_runs, mine, limit_hlc, proofs)
    _stream(bundle, reader, progress)
    return reader.finish(sender)


def _stream(bundle, reader: "_Reader", progress) -> None:
    """Pass the payload's lines to the reader, a chunk at a time; the whole payload is read and its sha256
    and size checked before any refusal of a line is raised (a damaged file says so before anything else)."""
    payload = bundle.manifest["payload"]
    total = int(payload["bytes"])
    digest = hashlib.sha256()
    pending: BundleRefused | None = None
    try:
        with bundle.payload() as raw:
            rest, done = b"", 0
            while True:
                chunk = raw.read(1 << 20)
                if not chunk:
                    break
                digest.update(chunk)
                done += len(chunk)
                if pending is None:
                    lines = (rest + chunk).split(b"\n")
                    rest = lines.pop()
                    try:
                        reader.lines_in(lines)
                    except BundleRefused as error:
                        pending = error  # read on: a damaged file says so before anything else
                if progress:
                    progress(min(done, total), total)
    except ZIP_ERRORS:
        raise damaged("内容读取失败（校验不符或被截断）", "the content cannot be read (checksum mismatch or cut short)") from None
    if done != payload["bytes"] or digest.hexdigest() != payload["sha256"]:
        raise damaged("内容的 sha256 与清单不符", "the payload's sha256 does not match the manifest")
    if pending is not None:
        raise pending
    if rest:
        raise damaged("最后一行不完整", "the last line is incomplete")


class _Reader:
    """The state of one pass over a payload's lines: what each origin declares and this ledger holds,
    the chains, and the lines waiting to be appended or held back."""

    def __init__(self, conn, me: Place, m: dict, have_runs: dict, mine: int, limit_hlc: str, proofs: dict | None):
        self.conn, self.me, self.m, self.mine, self.limit_hlc, self.proofs = conn, me, m, mine, limit_hlc, proofs
        declared_runs = {o: sorted(tuple(p) for p in r) for o, r in m["ranges"].items()}
        self.declared = {o: R.Lookup(r) for o, r in declared_runs.items()}
        self.have = {o: R.Lookup(r) for o, r in have_runs.items()}
        self.in_log = _in_log(conn, declared_runs, have_runs, me.replica)
        self.seqs: dict[str, array] = {}
        self.chain = _Chain(m)
        self.out = Intake()
        self.rows: list[tuple] = []
        self.quarantine: list[tuple] = []
        self.origins: dict[bytes, tuple] = {}  # origin -> (its name, declared, seqs, held here, this ledger's own, in the log, fold)

    def origin_of(self, raw: bytes) -> tuple:
        origin = raw.decode("ascii")
        lookup = self.declared.get(origin)
        if lookup is None:
            raise UnknownOrigin(f"同步包含有清单未声明的来源 {origin[-8:]} 的变更",
                                f"the bundle holds changes from an origin its manifest does not declare ({origin[-8:]})")
        arr = self.seqs[origin] = array("q")
        fold = self.proofs[origin].add if self.proofs is not None else None
        found = self.origins[raw] = (origin, lookup, arr, self.have.get(origin), origin == self.me.replica,
                                     self.in_log.get(origin, ()), fold)
        return found

    def flush(self) -> None:
        if self.rows:
            try:
                self.conn.executemany(INSERT, self.rows)
            except sqlite3.IntegrityError:
                raise damaged("同一变更出现了两次", "a change appears twice") from None
            self.out.logged += len(self.rows)
            self.rows.clear()

    def lines_in(self, lines: list[bytes]) -> None:
        conn, chain, out, rows, quarantine = self.conn, self.chain, self.out, self.rows, self.quarantine
        runs, origins, origin_of, mine, limit_hlc = chain.runs, self.origins, self.origin_of, self.mine, self.limit_hlc
        sha, tail_at, head_to = hashlib.sha256, TAIL.fullmatch, HEAD.fullmatch
        for line in lines:
            out.lines += 1
            cut = line.rfind(b',"origin":"')
            tail = tail_at(line, cut) if cut > 0 else None
            if tail is None:
                raise unreadable_line()
            raw_origin, prev, seq = tail.groups()
            seq = int(seq)
            origin, lookup, arr, have_here, own, logged_here, fold = origins.get(raw_origin) or origin_of(raw_origin)
            if seq not in lookup:
                raise damaged("变更序号不在清单声明的范围内", "a change seq lies outside the manifest's ranges")
            arr.append(seq)
            d = sha(line).digest()
            h = d.hex()
            if fold is not None:
                fold(seq, d)
            if prev is not None:
                prev = prev.decode("ascii")
            held = own or (have_here is not None and seq in have_here)
            run = runs.get(origin)
            if run is not None and run.last == seq - 1 and prev is not None and prev == run.hash:
                run.last, run.hash, run.linked = seq, h, True  # the common case: the next link of a run
                if held:
                    run.held = (seq, h)
            else:
                chain.add(origin, seq, prev, h, held)
            if held:
                if own and seq > mine:
                    raise BundleRefused("同步包含有本账本自己尚未有的变更——本账本是否从旧备份恢复过？",
                                        "the bundle holds changes of this ledger newer than the ledger itself; "
                                        "was it restored from an old backup?",
                                        hint_zh="请勿继续使用该账本，联系乡镇", hint_en="stop using this ledger and contact the township")
                out.skipped += 1
                continue
            head = head_to(line, 0, cut)
            if head is None:
                raise unreadable_line()
            body, entity, hlc, eid = head.groups()
            try:
                body, entity, hlc, eid = body.decode("utf-8"), entity.decode(), hlc.decode(), eid.decode()
            except UnicodeDecodeError:
                raise unreadable_line() from None
            if hlc > limit_hlc and entity != "key":
                quarantine.append((origin, seq, FUTURE, line.decode("utf-8")))
            elif logged_here and seq in logged_here:
                if row_hash(_held_row(conn, origin, seq)) == h:  # the very same change
                    out.skipped += 1
                else:
                    quarantine.append((origin, seq, FORK, line.decode("utf-8")))
            else:
                rows.append((origin, seq, hlc, entity, eid, body, prev))
                if len(rows) >= BATCH:
                    self.flush()

    def finish(self, sender: str | None) -> Intake:
        """After the pass: the chains where they meet the log, the counts against the manifest; the held-back
        lines go to the quarantine."""
        out, m, conn = self.out, self.m, self.conn
        self.flush()
        self.chain.check(conn)
        counts = {o: len(arr) for o, arr in self.seqs.items()}
        if out.lines != m["payload"]["lines"] or any(counts.get(o, 0) != n for o, n in m["counts"].items()) \
                or set(counts) - set(m["counts"]):
            raise damaged("变更条数与清单不符", "the number of changes does not match the manifest")
        for origin, arr in self.seqs.items():
            try:
                out.seqs[origin] = R.runs(sorted(arr))
            except ValueError:
                raise damaged("同一变更出现了两次", "a change appears twice") from None
        if self.quarantine:
            conn.executemany("INSERT INTO quarantine (origin, origin_seq, reason, body, noted_at, sender)"
                             " VALUES (?, ?, ?, ?, datetime('now'), ?)", [(*q, sender) for q in self.quarantine])
            out.quarantined = len(self.quarantine)
        return out
