"""What a change does to the ledger's state, in one place: both ways a change is applied, side by side.

- `apply_change`: one change at a time, by last-writer-wins per field, keeping the values that lost as
  conflicts for review. Every local write (ledger/store.py, Writer) and every merged change that meets a
  row this ledger holds goes through it.
- The merge's fast path, set-wise in SQL over the changes a merge's intake just appended to the log
  (seq > start):
  - `stage`: one small row per new change (household it touches, grid it sets, event kind and date), read
    out of the bodies by SQLite's JSON functions, for the scope check (sync/admission.check_scope) and the
    apply; on the way, every new body must be a JSON object of the shape its entity needs (an event names
    its household, its data has its kind's shape: EVENT_SHAPES; a statement about a key (`key`) is read by
    security/statements.py and changes no state here).
  - `apply_staged`: an entity this ledger does not hold yet, met by exactly one change of the bundle, is
    inserted straight from its change (an event becomes one `event_index` row pointing at its change; a
    household or member one row, with its field versions), which is what `apply_change` would make of it;
    anything that meets an existing row goes through `apply_change`.
  A put may name only fields this version knows, with plain values (lists only where the field is a list):
  checked on each put as it is decoded for either path.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import TYPE_CHECKING, Any

from grid_cli.clock import parse_hlc
from grid_cli.errors import BadFormat, damaged, unreadable_line
from grid_cli.fastjson import loads
from grid_cli.ledger.changes import JSON_FIELDS, LEDGER_EVENTS, TABLES, VERSION_RE, canonical
from grid_cli.parse import bad_text

if TYPE_CHECKING:
    from grid_cli.ledger.store import Ledger


# -- one change at a time: last writer wins per field --------------------------------------------
def _encode(field: str, value: Any) -> Any:
    if field in JSON_FIELDS and value is not None:
        return canonical(sorted(value))
    return value


def norm(field: str, value: Any) -> Any:
    if field in JSON_FIELDS:
        return sorted(value or [])
    if isinstance(value, bool):
        return int(value)
    return value


def _stored(field: str, value: Any) -> Any:
    return json.loads(value) if field in JSON_FIELDS and value else value


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
        held_value = norm(field, _stored(field, current.get(field)))
        if _meet(conn, entity, entity_id, field, versions.get(field), held_value, version, norm(field, value),
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


# -- the merge's fast path ------------------------------------------------------------------------
# The data an event of each kind must have, as every reader takes it (an SQL condition over `body`, one
# change's JSON); a kind not listed needs only a JSON object. A new kind, or a new field of one, is a line here.
EVENT_SHAPES = {
    "visit": """  -- a visit as findings.py reads it
                  date(json_extract(body, '$.date')) = json_extract(body, '$.date')
                  AND coalesce(json_type(body, '$.data.income'), 'null') IN ('null', 'object')
                  AND coalesce(json_type(body, '$.data.spending'), 'null') IN ('null', 'object')
                  AND coalesce(json_type(body, '$.data.water'), 'null') IN ('null', 'object')
                  AND coalesce(json_type(body, '$.data.events'), 'null') IN ('null', 'array')
                  AND coalesce(json_type(body, '$.data.residents'), 'null') IN ('null', 'array')
                  AND NOT EXISTS (SELECT 1 FROM json_each(body, '$.data.residents')
                                  WHERE type IN ('array', 'object'))
                  AND NOT EXISTS (SELECT 1 FROM json_each(body, '$.data.income') WHERE type NOT IN ('integer', 'real'))
                  AND NOT EXISTS (SELECT 1 FROM json_each(body, '$.data.spending') WHERE type NOT IN ('integer', 'real'))
                  AND NOT EXISTS (SELECT 1 FROM json_each(body, '$.data.water')
                                  WHERE type NOT IN ('integer', 'real', 'true', 'false', 'null'))
                  AND NOT EXISTS (SELECT 1 FROM json_each(body, '$.data.events')
                                  WHERE type != 'object' OR json_type(value, '$.type') IS NOT 'text'
                                     OR coalesce(json_type(value, '$.subtype'), 'null') NOT IN ('null', 'text'))
""",
}

# One pass over the new changes: what the scope check and the apply need, and whether the body has the
# shape its entity needs (`ok`; NULL when a key is missing, so anything but 1 is refused): exactly its
# keys, each once. A key given twice would read as its first copy in SQLite (the stage, the scope check,
# the events view) but as its last in Python (the apply); `nf`, the entries of a put's or config's `f`,
# lets the apply refuse a field given twice the same way. SQLite parses each body once for all the JSON
# calls of a row. A surrogate escape (\ud800-\udfff) is refused: grid writes text as UTF-8, never as such
# escapes, and a lone one cannot be stored or printed.
STAGE = r"""
    INSERT INTO stage SELECT seq, entity, entity_id, hlc,
      json_valid(body) AND json_type(body) = 'object' AND body NOT GLOB '*\u[dD][89aAbBcCdDeEfF]*'
      AND (SELECT count(*) FROM json_each(body)) = CASE entity
        WHEN 'event' THEN 4 + (json_type(body, '$.date') IS NOT NULL) WHEN 'key' THEN 2
        ELSE 2 + (json_type(body, '$.b') IS NOT NULL) + (entity != 'config' AND json_type(body, '$.h') IS NOT NULL) END
      AND CASE entity
        WHEN 'event' THEN json_extract(body, '$.op') = 'event' AND json_type(body, '$.kind') = 'text'
             AND (json_type(body, '$.household') = 'text'
                  OR json_type(body, '$.household') = 'null' AND json_extract(body, '$.kind') IN ({ledger_events}))
             AND coalesce(json_type(body, '$.date'), 'null') IN ('null', 'text')
             AND json_type(body, '$.data') = 'object'
             {event_shapes}
        WHEN 'key' THEN json_extract(body, '$.op') = 'key' AND json_type(body, '$.key') = 'object'
        WHEN 'config' THEN json_extract(body, '$.op') = 'config' AND json_type(body, '$.f') = 'object'
             AND entity_id GLOB '[0-9][0-9][0-9][0-9]'
        ELSE json_extract(body, '$.op') = 'put' AND json_type(body, '$.f') = 'object'
             AND coalesce(json_type(body, '$.b'), 'null') IN ('null', 'object')
             AND coalesce(json_type(body, '$.h'), 'null') IN ('null', 'text')
             AND coalesce(json_type(body, '$.f.household_id'), 'null') IN ('null', 'text')
        END,
      CASE entity WHEN 'event' THEN json_extract(body, '$.household') WHEN 'household' THEN entity_id
           WHEN 'member' THEN coalesce(nullif(json_extract(body, '$.f.household_id'), ''), json_extract(body, '$.h'))
      END,
      entity = 'household' AND json_type(body, '$.f.grid') IS NOT NULL,
      CASE WHEN entity = 'household' THEN json_extract(body, '$.f.grid') END,
      CASE WHEN entity = 'event' THEN json_extract(body, '$.kind') END,
      CASE WHEN entity = 'event' THEN json_extract(body, '$.date') END,
      CASE entity WHEN 'event' THEN 1 WHEN 'config' THEN 0
           ELSE NOT EXISTS (SELECT 1 FROM json_each(body, '$.b') WHERE type != 'null') END,
      CASE WHEN entity != 'event' THEN (SELECT count(*) FROM json_each(body, '$.f')) END
    FROM changes WHERE seq > ? ORDER BY seq""".format(
    event_shapes="\n             ".join(f"AND (json_extract(body, '$.kind') != '{kind}' OR ({shape}))"
                                         for kind, shape in EVENT_SHAPES.items()),
    ledger_events=", ".join(f"'{kind}'" for kind in LEDGER_EVENTS))


def stage(ledger: Ledger, start: int) -> None:
    """Stage the changes logged after `start`; refuse the bundle (nothing applied yet) if a body is not
    what its entity needs."""
    conn = ledger.conn
    conn.execute("DROP TABLE IF EXISTS temp.stage")
    conn.execute("CREATE TEMP TABLE stage (n INTEGER PRIMARY KEY, entity TEXT, id TEXT, hlc TEXT, ok INTEGER,"
                 " hh TEXT, sg INTEGER, grid TEXT, kind TEXT, date TEXT, fast INTEGER, nf INTEGER)")
    try:
        conn.execute(STAGE, (start,))
        if conn.execute("SELECT 1 FROM stage WHERE ok IS NOT 1 LIMIT 1").fetchone():
            raise unreadable_line()
    except sqlite3.OperationalError as error:  # SQLite's JSON functions on a body they cannot read
        if "JSON" in str(error):
            raise unreadable_line() from None
        raise
    conn.execute("CREATE INDEX temp.stage_id ON stage(id)")
    _refuse_bad_text(conn, start)


# Text holding a control character (refused at every door: grid_cli.parse) is refused in a bundle too: a
# regular expression finds the bodies with a backslash (JSON's escapes; a raw C0 control is not JSON) or a raw
# DEL or C1 character, and only those rare ones are decoded and walked. (SQLite's GLOB over the same bodies
# took twice as long: 1.45 s against 0.65 s for 164k changes.)
SUSPECT = re.compile(r"[\\\x7f-\x9f]")


def _refuse_bad_text(conn, start: int) -> None:
    search = SUSPECT.search
    for (body,) in conn.execute("SELECT body FROM changes WHERE seq > ?", (start,)):
        if not search(body):
            continue
        value = _decode(body)
        found = bad_text(value.get("f") or value.get("data") or value)
        if found is not None:
            where, char = found
            raise BadFormat(f"同步包中的字段 {where} 含有控制字符 {char}",
                            f"the bundle's field {where} holds the control character {char}",
                            hint_zh="不要合并；请发送方升级 grid 并核查该记录",
                            hint_en="do not merge it; have the sender upgrade grid and check that record")


PLAIN_TYPES = (str, int, float, bool, type(None))


class Fields:
    """What a put of one entity may set: the fields this version knows, each a plain value (a list of
    text where the field is a list). Checked on each put's decoded fields as it is applied; a refusal
    rolls the whole merge back."""

    def __init__(self, ledger: Ledger, entity: str):
        self.known = set(ledger.columns(entity))
        self.lists = JSON_FIELDS & self.known

    def check(self, body: dict, entries: int) -> dict:
        """The put's fields, once checked."""
        f = _each_once(body, entries)
        if not self.known.issuperset(f):
            unknown = sorted(set(f) - self.known)
            raise BadFormat(f"同步包含有本版本不认识的字段：{unknown}", f"the bundle has fields this version does not know: {unknown}",
                            hint_zh="请升级 grid", hint_en="upgrade grid")
        for name, value in f.items():
            if name in self.lists:
                ok = value is None or (type(value) is list and all(type(x) is str for x in value))
            elif type(value) in (int, float):
                ok = abs(value) < 1 << 63  # what SQLite holds as an integer (orjson reads bigger ones as floats)
            else:
                ok = isinstance(value, PLAIN_TYPES)
            if not ok:
                raise damaged("字段值不对", f"bad value for {name}")
        if not all(_base_ok(v) for v in (body.get("b") or {}).values()):
            raise damaged("字段值不对", "bad base version")
        return f


def _base_ok(value) -> bool:
    """A field's base: the version its writer had (text), none, or several (a list of text)."""
    return value is None or type(value) is str or (type(value) is list and all(type(v) is str for v in value))


def _each_once(body: dict, entries: int) -> dict:
    """A change's fields, refused if SQLite counted more entries than the decoded object has (one given twice)."""
    if len(body["f"]) != entries:
        raise unreadable_line()
    return body["f"]


def _decode(body: str) -> dict:
    try:
        return loads(body)
    except ValueError:  # SQLite's validator took it; the decoders did not
        raise unreadable_line() from None


TEMP_TABLES = ("stage", "allowed", "multi")  # a merge's working tables (`allowed`: sync/admission.check_scope)


def drop(conn) -> None:
    for name in TEMP_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _insert_new(ledger: Ledger, entity: str, fields: Fields) -> None:
    """Insert the fast-path rows of one entity table, each straight from its change: the fields it sets,
    the table's defaults for the rest, and `_v` with every field it sets at its version. Built here rather
    than with SQLite's JSON functions: one decode per row beats a JSON call per column (bench/merge.py)."""
    conn = ledger.conn
    table, cols = TABLES[entity], ledger.columns(entity)
    defaults = {r[1]: r[4] for r in conn.execute(f"PRAGMA table_info({table})")}
    pairs = [(col, None if defaults[col] in (None, "NULL") else conn.execute(f"SELECT {defaults[col]}").fetchone()[0])
             for col in cols]
    lists = [i for i, col in enumerate(cols) if col in JSON_FIELDS]
    insert = f"INSERT INTO {table} (id, {', '.join(cols)}, _v) VALUES ({', '.join('?' * (len(cols) + 2))})"
    found = conn.cursor()
    found.execute("SELECT s.id, c.hlc, c.origin, c.body, s.nf FROM stage s JOIN changes c ON c.seq = s.n"
                  " WHERE s.entity = ? AND s.fast = 1 ORDER BY s.n", (entity,))
    while True:
        batch = found.fetchmany(4000)
        if not batch:
            break
        rows = []
        for entity_id, hlc, origin, body, entries in batch:
            f = fields.check(_decode(body), entries)
            values = [f.get(col, default) for col, default in pairs]
            for i in lists:
                if values[i] is not None:
                    values[i] = canonical(sorted(values[i]))
            version = f"{hlc} {origin}"  # every field this change sets, at its version (canonical: keys sorted)
            rows.append((entity_id, *values, "{" + ",".join(f'"{k}":"{version}"' for k in sorted(f)) + "}"))
        conn.executemany(insert, rows)


def apply_staged(ledger: Ledger) -> dict[str, int]:
    """Project the staged changes onto the ledger's state; returns new changes per entity (visits etc. by kind)."""
    conn = ledger.conn
    by_entity = {f"{entity}:{kind}" if kind else entity: n for entity, kind, n in
                 conn.execute("SELECT entity, kind, count(*) FROM stage GROUP BY entity, kind")}
    # fast path: entities this ledger does not hold yet, met by exactly one change of this bundle
    conn.execute("CREATE TEMP TABLE multi AS SELECT id FROM stage GROUP BY id HAVING count(*) > 1")
    conn.execute("""
        UPDATE stage SET fast = 0 WHERE fast = 1 AND (
            id IN (SELECT id FROM multi)
            OR (entity = 'event' AND EXISTS (SELECT 1 FROM event_index e WHERE e.id = stage.id))
            OR (entity = 'household' AND EXISTS (SELECT 1 FROM households x WHERE x.id = stage.id))
            OR (entity = 'member' AND EXISTS (SELECT 1 FROM members x WHERE x.id = stage.id)))""")
    conn.execute("INSERT INTO event_index (id, household_id, kind, date, change_seq)"
                 " SELECT id, hh, kind, date, n FROM stage WHERE entity = 'event' AND fast = 1")
    fields = {entity: Fields(ledger, entity) for entity in TABLES}
    for entity, allowed in fields.items():
        _insert_new(ledger, entity, allowed)
    conn.execute("INSERT OR IGNORE INTO household_grids SELECT id, grid FROM stage"  # as apply_change: a set grid
                 " WHERE entity = 'household' AND sg = 1 AND grid IS NOT NULL AND grid NOT IN ('', 0) AND fast = 1")
    slow = conn.cursor()
    slow.execute("SELECT s.n, c.origin, c.origin_seq, c.hlc, c.entity, c.entity_id, c.body, s.nf FROM stage s"
                 " JOIN changes c ON c.seq = s.n WHERE s.fast = 0 ORDER BY s.n")
    while True:
        batch = slow.fetchmany(1000)
        if not batch:
            break
        for n, origin, seq, hlc, entity, entity_id, body, entries in batch:
            decoded = _decode(body)
            if entity in fields:
                fields[entity].check(decoded, entries)
            elif entity == "config":
                _each_once(decoded, entries)
            apply_change(conn, {"origin": origin, "seq": seq, "hlc": hlc, "entity": entity, "id": entity_id,
                                "body": decoded, "row": n})
    return by_entity


def advance_clock(conn) -> None:
    """This ledger's clock moves past the newest change it now holds (the staged ones)."""
    top = conn.execute("SELECT max(hlc) FROM stage").fetchone()[0]
    if top:
        row = conn.execute("SELECT value FROM meta WHERE key = 'hlc'").fetchone()
        held = json.loads(row[0]) if row else None
        if held is None or parse_hlc(top) > parse_hlc(held):
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('hlc', ?)", (canonical(top),))
