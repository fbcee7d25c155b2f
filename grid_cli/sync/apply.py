"""Steps 4-5 of a merge, set-wise in SQL over the changes the intake just appended to the log (seq > start).

- stage: one small row per new change (household it touches, grid it sets, event kind and date), read out
  of the bodies by SQLite's JSON functions, for the scope check (merge._check_scope) and the apply; on the
  way, every new body must be a JSON object of the shape its entity needs (an event names its household; a
  statement about a key (`key`) is read by security/statements.py and changes no state here).
- apply: an entity this ledger does not hold yet, met by exactly one change of the bundle, is inserted
  straight from its change (the fast path: an event becomes one `event_index` row pointing at its change;
  a household or member one row, with its field versions); anything that meets an existing row goes
  through `apply_change`, the same function local writes use, so a change means the same everywhere.
  A put may name only fields this version knows, with plain values (lists only where the field is a list):
  checked on each put as it is decoded for either path.
"""

from __future__ import annotations

import re

import sqlite3

from grid_cli.errors import BadFormat, damaged
from grid_cli.fastjson import loads
from grid_cli.ledger import Ledger
from grid_cli.ledger.store import JSON_FIELDS, TABLES, apply_change, canonical
from grid_cli.parse import bad_text
from grid_cli.sync.intake import unreadable_line

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
                  OR json_type(body, '$.household') = 'null' AND json_extract(body, '$.kind') IN ('local_rule'))
             AND coalesce(json_type(body, '$.date'), 'null') IN ('null', 'text')
             AND json_type(body, '$.data') = 'object'
             AND (json_extract(body, '$.kind') != 'visit' OR (  -- a visit as every reader takes it (findings)
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
                                     OR coalesce(json_type(value, '$.subtype'), 'null') NOT IN ('null', 'text'))))
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
    FROM changes WHERE seq > ? ORDER BY seq"""


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


def drop(conn) -> None:
    for name in ("stage", "allowed", "multi"):
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


def apply(ledger: Ledger) -> dict[str, int]:
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

