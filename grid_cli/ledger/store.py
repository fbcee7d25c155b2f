"""The ledger file and its single write path.

Every change (local edit, import, or a change merged from another replica) goes through `Writer`, inside
one SQLite transaction that (1) stamps the change with the replica's hybrid logical clock and id,
(2) appends it to `changes`, and (3) applies it with the same `apply_*` functions a sync merge uses.
A crash leaves the ledger before or after the transaction, never between.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from grid_cli.clock import HLC, new_id
from grid_cli.errors import DataError, UsageError, ledger_error
from grid_cli.ledger.schema import LATEST, migrate
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

def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)  # explicit transactions only
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def _create_owner_only(path: Path) -> None:
    """The ledger holds every full ID number: like the key file, only its owner may read it (0600 on POSIX,
    whatever the umask; SQLite gives its -wal and -shm files the database file's mode). Windows has no such
    mode: there the folder's access list decides (a user's own profile folder is private to the user)."""
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    if os.name != "nt":
        os.chmod(path, 0o600)


class Ledger:
    """One grid's (or hub's) ledger file."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path, self.conn = path, conn
        self._columns: dict[str, list[str]] = {}

    # -- opening -------------------------------------------------------------------------------
    @staticmethod
    def check_new(path: Path) -> None:
        """Refuse to create a ledger over an existing file (say so before asking anything else)."""
        if Path(path).exists():
            raise UsageError(
                f"账本文件已存在：{path}",
                f"a ledger already exists at {path}",
                hint_zh="换一个 --ledger 路径，或删除旧文件后再建",
                hint_en="choose another --ledger path, or remove the old file first",
            )

    @classmethod
    def create(cls, path: Path, meta: dict[str, Any]) -> "Ledger":
        path = Path(path)
        cls.check_new(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_owner_only(path)
        conn = _connect(path)
        try:
            migrate(conn)
            ledger = cls(path, conn)
            with ledger.write() as w:
                for key, value in {"replica_id": new_id().replace("-", ""), **meta}.items():
                    w.set_meta(key, value)
            return ledger
        except BaseException:
            conn.close()
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            raise

    @classmethod
    def open(cls, path: Path) -> "Ledger":
        path = Path(path)
        if not path.is_file():
            raise DataError(
                f"找不到账本：{path}",
                f"no ledger at {path}",
                hint_zh="先运行 grid init 建账，或用 --ledger 指定账本文件",
                hint_en="run `grid init` first, or point --ledger at your ledger file",
            )
        try:
            conn = _connect(path)
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as error:  # damaged, or only a read-only or full disk: say which
            raise ledger_error(error, path) from None
        if "meta" not in names or "migrations" not in names:
            conn.close()
            raise DataError(f"这不是 grid 账本：{path}", f"not a grid ledger: {path}")
        version = conn.execute("SELECT max(id) FROM migrations").fetchone()[0]
        if version > LATEST:
            conn.close()
            raise DataError(
                f"账本由更新版本的 grid 建立（结构版本 {version}）",
                f"the ledger was written by a newer grid (schema {version})",
                hint_zh="请升级 grid",
                hint_en="upgrade grid",
            )
        migrate(conn)
        return cls(path, conn)

    def close(self) -> None:
        self.conn.close()

    # -- reading -------------------------------------------------------------------------------
    def meta(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def all_meta(self) -> dict[str, Any]:
        return {r[0]: json.loads(r[1]) for r in self.conn.execute("SELECT key, value FROM meta")}

    @property
    def replica_id(self) -> str:
        return self.meta("replica_id")

    def query(self, sql: str, params: Any = ()) -> list[dict]:
        return [dict(row) for row in self.conn.execute(sql, params)]

    def columns(self, entity: str) -> list[str]:
        if entity not in self._columns:
            info = self.conn.execute(f"PRAGMA table_info({TABLES[entity]})")
            self._columns[entity] = [r[1] for r in info if r[1] not in NOT_FIELDS]
        return self._columns[entity]

    def get(self, entity: str, entity_id: str) -> dict | None:
        row = self.conn.execute(f"SELECT * FROM {TABLES[entity]} WHERE id = ?", (entity_id,)).fetchone()
        return decode_row(dict(row)) if row else None

    def config(self, year: int) -> dict[str, Any]:
        rows = self.conn.execute("SELECT key, value FROM config WHERE year = ?", (year,))
        return {key: json.loads(value) for key, value in rows}

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator["Writer"]:
        """One transaction; every change inside it is logged and applied, or none is."""
        self.conn.execute("BEGIN IMMEDIATE")
        writer = Writer(self)
        try:
            yield writer
            writer.finish()
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # SQLite has already rolled back after a full disk or an I/O error
                self.conn.execute("ROLLBACK")
            raise


def decode_row(row: dict) -> dict:
    row.pop("_v", None)
    for field in JSON_FIELDS & row.keys():
        row[field] = json.loads(row[field]) if row[field] else []
    return row


def _encode(field: str, value: Any) -> Any:
    if field in JSON_FIELDS and value is not None:
        return canonical(sorted(value))
    return value


class Writer:
    """Makes changes inside one `Ledger.write()` transaction. Each method is one logged change."""

    def __init__(self, ledger: Ledger):
        self.ledger, self.conn = ledger, ledger.conn
        self.origin = ledger.meta("replica_id")
        self.clock = HLC(ledger.meta("hlc"))
        self.seq, self.head = head(self.conn, self.origin) if self.origin else (0, GENESIS)
        self.start, self.mountains = own_chain(self.conn, self.origin, self.seq) if self.origin else (0, Mountains())
        self.count = 0

    def set_meta(self, key: str, value: Any) -> None:
        """Replica-local settings (not synced): who this ledger is, its clock."""
        text = canonical(value)
        check_json(text, value, (key, key))  # a control character is refused at the door (grid_cli.parse)
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, text))
        if key == "replica_id":
            self.origin = value
            self.seq, self.head = head(self.conn, value)
            self.start, self.mountains = own_chain(self.conn, value, self.seq)

    def put(self, entity: str, entity_id: str, fields: dict[str, Any], *,
            base: dict[str, str | list[str] | None] | None = None) -> dict[str, Any]:
        """Set attributes of a household or member (created if new). Fields whose value is already
        what is asked are left out, so repeating an edit or an import writes nothing.
        Each field records the version of it this writer had (its base: the current one). `base` says
        otherwise for some fields: None for a write that did not see the current value (a newer national
        export over a local correction: the correction, if different, stays open as a lost concurrent edit
        for review, and travels so every ledger holding the household lists it), or a list of versions seen.
        Returns the fields that changed."""
        columns = set(self.ledger.columns(entity))
        unknown = set(fields) - columns
        if unknown:
            raise ValueError(f"unknown {entity} fields: {sorted(unknown)}")
        current = self.ledger.get(entity, entity_id)
        if current is not None:
            fields = {k: v for k, v in fields.items() if _norm(k, current.get(k)) != _norm(k, v)}
        if not fields:
            return {}
        versions = _versions(self.conn, entity, entity_id)
        base = base or {}
        body = {"op": "put", "f": fields, "b": {k: base[k] if k in base else versions.get(k) for k in fields}}
        self._log(entity, entity_id, body)
        return fields

    def event(self, kind: str, household_id: str, data: dict[str, Any], *, date: str | None = None,
              event_id: str | None = None) -> str:
        """Append a visit, measure or decision. Events are never edited: a correction is a new event."""
        if not household_id and kind not in LEDGER_EVENTS:
            raise ValueError("an event names its household")
        event_id = event_id or new_id()
        body = {"op": "event", "kind": kind, "household": household_id, "date": date, "data": data}
        self._log("event", event_id, body)
        return event_id

    def set_config(self, year: int, values: dict[str, Any]) -> dict[str, Any]:
        """Set the year's rule configuration (threshold, rule parameters); each key is one LWW field."""
        current = self.ledger.config(year)
        values = {k: v for k, v in values.items() if current.get(k, _MISSING) != v}
        if not values:
            return {}
        versions = {}
        for key in values:
            row = self.conn.execute("SELECT _v FROM config WHERE year=? AND key=?", (year, key)).fetchone()
            versions[key] = json.loads(row[0]).get("value") if row else None
        self._log("config", str(year), {"op": "config", "f": values, "b": versions})
        return values

    def audit(self, action: str, detail: str = "") -> None:
        """A local note of a sensitive action (e.g. an unmasked export). Never holds personal data."""
        self.conn.execute(
            "INSERT INTO audit (at, action, detail) VALUES (datetime('now'), ?, ?)", (action, detail)
        )

    def _log(self, entity: str, entity_id: str, body: dict) -> None:
        self.seq += 1
        change = {
            "origin": self.origin, "seq": self.seq, "hlc": self.clock.tick(),
            "entity": entity, "id": entity_id, "body": body, "prev": self.head,
        }
        self.head = record_change(self.conn, change)
        self.mountains.push(0, self.seq - self.start - 1, bytes.fromhex(self.head))
        apply_change(self.conn, change)
        self.count += 1

    def statement(self, replica: str, key: dict[str, Any]) -> None:
        """A signed statement about another replica's key (security/statements.py): it travels as a change."""
        self._log("key", replica, {"op": "key", "key": key})

    def finish(self) -> None:
        if self.count:
            self.conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('hlc', ?)", (canonical(self.clock.last),)
            )
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('chain', ?)", (canonical(
                {"start": self.start, "seq": self.seq, "peaks": [p.hex() for p in self.mountains.peaks()]}),))


_MISSING = object()


def _norm(field: str, value: Any) -> Any:
    if field in JSON_FIELDS:
        return sorted(value or [])
    if isinstance(value, bool):
        return int(value)
    return value


def _stored(field: str, value: Any) -> Any:
    return json.loads(value) if field in JSON_FIELDS and value else value


def _versions(conn: sqlite3.Connection, entity: str, entity_id: str) -> dict[str, str]:
    row = conn.execute(f"SELECT _v FROM {TABLES[entity]} WHERE id = ?", (entity_id,)).fetchone()
    return json.loads(row[0]) if row else {}


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


def apply_change(conn: sqlite3.Connection, change: dict) -> None:
    """Apply one logged change to the ledger's state. Shared by local writes and sync merges, so a
    change means the same thing wherever it lands. Per field, the greater (hlc, origin) wins; a value that
    loses and that no later write had seen is kept in `conflicts` for review (see `_meet`)."""
    body, version = change["body"], f"{change['hlc']} {change['origin']}"
    op = body["op"]
    if op == "put":
        _apply_put(conn, change["entity"], change["id"], body["f"], body.get("b") or {}, version)
    elif op == "config":
        _apply_config(conn, int(change["id"]), body["f"], body.get("b") or {}, version)
    elif op == "event":
        _apply_event(conn, change, body)
    elif op == "key":
        pass  # a statement about a key: read by security/statements.py when its bundle is checked
    else:
        raise ValueError(f"unknown change op {op!r}")


# -- conflicts: the lost leaves of each field's versions ---------------------------------------------
# Every write of a field records the version(s) of it its writer had (`b`: the version id, never a clock
# comparison). Those versions were replaced, not lost. Over all the versions of a field, the winner is the
# greatest (hlc, origin); a version that is not the winner and that no write had seen is a lost concurrent
# edit: a conflict row, open while its value differs from the winner's ("same" otherwise). So a value its
# own author replaced is never open, and the rows are a function of the set of versions: every ledger that
# holds the same changes lists the same conflicts, whatever order they came in. A claimed base is believed
# only if it is earlier than the write (a writer cannot have seen a later version) and names a version that
# exists: one not held yet is kept in `claims` and settles that version when it comes.
# Events about the ledger itself, not a household (a level's own rule value, rules/config.py): the only
# events that may name no household, here and in a merged bundle (sync/apply.py, sync/merge.py).
LEDGER_EVENTS = ("local_rule",)
VERSION_RE = re.compile(r"[0-9]{13}\.[0-9]{5} [0-9A-Za-z_-]{1,64}")


def bases_of(value: Any) -> list[str]:
    """A put's base for one field: the version it had (text), none (null), or several (a list)."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def _earlier(base: str, version: str) -> bool:
    return VERSION_RE.fullmatch(base) is not None and base[:19] < version[:19]


def _meet(conn, entity, entity_id, field, held, held_value, version, value, base) -> bool:
    """One field: a version of it arrives where `held` (value `held_value`) is the winner here. Returns True
    if the new version wins. Keeps the field's conflict rows as described above."""
    key = (entity, str(entity_id), field)
    if version == held:  # the same change again
        return False
    seen = [b for b in bases_of(base) if _earlier(b, version)]
    for b in seen:
        if b != held and not conn.execute(
                "UPDATE conflicts SET status = 'settled' WHERE entity = ? AND entity_id = ? AND field = ?"
                " AND lost_version = ? AND status IN ('open', 'same')", (*key, b)).rowcount:
            conn.execute("INSERT OR IGNORE INTO claims VALUES (?, ?, ?, ?, ?)", (*key, b, version))
    wins = held is None or version > held
    if wins:
        if held is not None and held not in seen:  # current here, unseen by the newer write: lost
            _note_lost(conn, key, held_value, held)
    elif not conn.execute("SELECT 1 FROM claims WHERE entity = ? AND entity_id = ? AND field = ? AND base = ? LIMIT 1",
                          (*key, version)).fetchone():  # a later write that had it came first
        _note_lost(conn, key, value, version)
    winner, winner_value = (version, value) if wins else (held, held_value)
    conn.execute("UPDATE conflicts SET kept_value = ?, kept_version = ?,"
                 " status = CASE WHEN lost_value IS ? THEN 'same' ELSE 'open' END"
                 " WHERE entity = ? AND entity_id = ? AND field = ? AND status IN ('open', 'same')",
                 (canonical(winner_value), winner, canonical(winner_value), *key))
    return wins


def _note_lost(conn, key, value, version) -> None:
    conn.execute("INSERT OR IGNORE INTO conflicts (entity, entity_id, field, lost_value, lost_version, status, noted_at)"
                 " VALUES (?, ?, ?, ?, ?, 'open', datetime('now'))", (*key, canonical(value), version))


def _apply_put(conn, entity, entity_id, fields, bases, version):
    table = TABLES[entity]
    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        conn.execute(f"INSERT INTO {table} (id) VALUES (?)", (entity_id,))
        current, versions = {}, {}
    else:
        current, versions = dict(row), json.loads(row["_v"])
    winners = {}
    for field, value in fields.items():
        held_value = _norm(field, _stored(field, current.get(field)))
        if _meet(conn, entity, entity_id, field, versions.get(field), held_value, version, _norm(field, value),
                 bases.get(field)):
            winners[field] = value
            versions[field] = version
    if entity == "household" and fields.get("grid"):
        conn.execute("INSERT OR IGNORE INTO household_grids VALUES (?, ?)", (entity_id, fields["grid"]))
    if winners:
        assignments = ", ".join(f"{f} = ?" for f in winners)
        conn.execute(
            f"UPDATE {table} SET {assignments}, _v = ? WHERE id = ?",
            [*(_encode(f, v) for f, v in winners.items()), canonical(versions), entity_id],
        )


LEVEL_RANK = {"grid": 0, "township": 1, "county": 2}


def origin_level(conn: sqlite3.Connection, origin: str) -> str | None:
    """The level (grid, township, county) of the replica that made a change: this ledger's own from its
    meta, another's as bound in `replicas` or enrolled in `trusted_keys`; None if not known yet."""
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('replica_id', 'level')").fetchall())
    if json.loads(meta.get("replica_id", "null")) == origin:
        return json.loads(meta.get("level", "null")) or "grid"
    for table, column in (("replicas", "id"), ("trusted_keys", "replica")):
        row = conn.execute(f"SELECT level FROM {table} WHERE {column} = ?", (origin,)).fetchone()
        if row:
            return row[0]
    return None


def _config_rank(conn, version: str | None) -> int:
    """The year's rules belong to the county: a value set higher up prevails over one set lower down,
    whatever the clocks say. Config only ever comes from above, so an origin not known yet (the first
    bundle that relays the county's rules) ranks as the county."""
    if version is None:
        return -1
    level = origin_level(conn, version.split(" ", 1)[1])
    return LEVEL_RANK.get(level, 2) if level else 2


def _apply_config(conn, year, values, bases, version):
    for key, value in values.items():
        row = conn.execute("SELECT value, _v FROM config WHERE year=? AND key=?", (year, key)).fetchone()
        held = json.loads(row["_v"]).get("value") if row else None
        held_value = json.loads(row["value"]) if row and row["value"] is not None else None
        mine, theirs = _config_rank(conn, version), _config_rank(conn, held)
        if mine < theirs:
            continue  # a lower level's value never replaces a higher level's
        if mine > theirs and held is not None:  # a higher level's value replaces a lower one's: not a conflict
            conn.execute("UPDATE conflicts SET status = 'settled' WHERE entity = 'config' AND entity_id = ?"
                         " AND field = ? AND status IN ('open', 'same')", (str(year), key))  # nothing lost
        elif not _meet(conn, "config", str(year), key, held, held_value, version, value, bases.get(key)):
            continue
        conn.execute("INSERT OR REPLACE INTO config (year, key, value, _v) VALUES (?, ?, ?, ?)",
                     (year, key, canonical(value), canonical({"value": version})))


def _apply_event(conn, change, body):
    """An event's data stays in its change (`change["row"]`, the logged row); event_index finds it."""
    row = conn.execute("SELECT e.kind, e.household_id, c.body FROM event_index e JOIN changes c"
                       " ON c.seq = e.change_seq WHERE e.id = ?", (change["id"],)).fetchone()
    if row is None:
        conn.execute("INSERT INTO event_index (id, household_id, kind, date, change_seq) VALUES (?, ?, ?, ?, ?)",
                     (change["id"], body["household"], body["kind"], body.get("date"), change["row"]))
    elif (row[0], row[1], canonical(json.loads(row[2])["data"])) != (body["kind"], body["household"],
                                                                       canonical(body["data"])):
        conn.execute(
            "INSERT INTO quarantine (origin, origin_seq, reason, body, noted_at) VALUES (?, ?, ?, ?, datetime('now'))",
            (change["origin"], change["seq"], "event id reused with different content", canonical(change)),
        )
