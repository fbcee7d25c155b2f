"""The ledger file and its single write path.

Every change (local edit, import, or a change merged from another replica) goes through `Writer`, inside
one SQLite transaction that (1) stamps the change with the replica's hybrid logical clock and id,
(2) appends it to `changes` (ledger/changes.py), and (3) applies it with `apply_change`, the function a
sync merge uses too (ledger/apply.py). A crash leaves the ledger before or after the transaction, never
between.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import quote

from grid_cli.clock import HLC, new_id
from grid_cli.errors import DataError, UsageError, ledger_error
from grid_cli.ledger.apply import apply_change, norm
from grid_cli.ledger.changes import (GENESIS, JSON_FIELDS, LEDGER_EVENTS, NOT_FIELDS, TABLES, Mountains, canonical, head,
                                     own_chain, record_change)
from grid_cli.ledger.schema import LATEST, migrate
from grid_cli.parse import check_json

def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)  # explicit transactions only
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def _read_only_uri(path: Path) -> str:
    """file:///C:/x.db, file:///home/x.db, and a Windows share as file:////server/share/x.db: `Path.as_uri()`
    would name the server as the URI's authority, which SQLite refuses."""
    text = quote(path.as_posix(), safe="/:")
    return "file://" + ("" if text.startswith("/") else "/") + text + "?mode=ro"


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

    @classmethod
    def read_only(cls, path: Path) -> "Ledger":
        """A second, read-only connection to a ledger this process's parent has open (workers.py): no
        migration, and SQLite refuses any write through it."""
        path = Path(path).resolve()
        conn = sqlite3.connect(_read_only_uri(path), uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=5000")
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
    def transaction(self, *, immediate: bool = False, temp: Iterable[str] = ()) -> Iterator["Transaction"]:
        """One SQLite transaction over the connection: committed when the block ends (rolled back instead
        if the block calls `discard()`, a dry run), rolled back on any error. The named temp tables (a
        sync's working tables) are dropped before it begins and after it ends, however it ends.
        `immediate` takes the write lock at once (a writer); otherwise it is one consistent snapshot."""
        conn = self.conn
        _drop_temp(conn, temp)
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        tx = Transaction()
        try:
            yield tx
            conn.execute("COMMIT" if tx.keep else "ROLLBACK")
        except BaseException:
            if conn.in_transaction:  # SQLite has already rolled back after a full disk or an I/O error
                conn.execute("ROLLBACK")
            with suppress(sqlite3.Error):  # the first error is the one to report, not a failed clean-up
                _drop_temp(conn, temp)
            raise
        _drop_temp(conn, temp)

    @contextmanager
    def write(self) -> Iterator["Writer"]:
        """One transaction; every change inside it is logged and applied, or none is."""
        with self.transaction(immediate=True):
            writer = Writer(self)
            yield writer
            writer.finish()


def _drop_temp(conn: sqlite3.Connection, names: Iterable[str]) -> None:
    for name in names:
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")


class Transaction:
    """The handle of a `Ledger.transaction()` block."""

    keep = True

    def discard(self) -> None:
        """Roll the transaction back when the block ends, instead of committing it."""
        self.keep = False


def decode_row(row: dict) -> dict:
    row.pop("_v", None)
    for field in JSON_FIELDS & row.keys():
        row[field] = json.loads(row[field]) if row[field] else []
    return row


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
            fields = {k: v for k, v in fields.items() if norm(k, current.get(k)) != norm(k, v)}
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


def _versions(conn: sqlite3.Connection, entity: str, entity_id: str) -> dict[str, str]:
    row = conn.execute(f"SELECT _v FROM {TABLES[entity]} WHERE id = ?", (entity_id,)).fetchone()
    return json.loads(row[0]) if row else {}


