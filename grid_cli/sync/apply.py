"""Steps 4-5 of a merge, set-wise in SQL over the changes the intake just appended to the log (seq > start).

- check: every new body is a JSON object of the right shape for its entity; a put names only fields this
  version knows, with plain values (lists only where the field is a list).
- stage: one small row per new change (household it touches, grid it sets, event kind and date), read out
  of the bodies by SQLite's JSON functions, for the scope check (merge._check_scope) and the apply.
- apply: an entity this ledger does not hold yet, met by exactly one change of the bundle, is inserted
  straight from its change (the fast path: an event becomes one `event_index` row pointing at its change;
  a household or member one row, with its field versions); anything that meets an existing row goes
  through `apply_change`, the same function local writes use, so a change means the same everywhere.
"""

from __future__ import annotations

import json
import sqlite3

from grid_cli.ledger import Ledger
from grid_cli.ledger.store import JSON_FIELDS, TABLES, apply_change
from grid_cli.sync.format import BadFormat
from grid_cli.sync.intake import damaged, unreadable_line

PLAIN = "('null', 'true', 'false', 'integer', 'real', 'text')"
SHAPE = """
    SELECT seq FROM changes WHERE seq > ? AND NOT CASE WHEN json_valid(body) AND json_type(body) = 'object'
      THEN CASE entity
        WHEN 'event' THEN json_extract(body, '$.op') = 'event' AND json_type(body, '$.kind') = 'text'
             AND json_type(body, '$.household') IN ('null', 'text')
             AND coalesce(json_type(body, '$.date'), 'null') IN ('null', 'text')
             AND json_type(body, '$.data') IS NOT NULL
        WHEN 'config' THEN json_extract(body, '$.op') = 'config' AND json_type(body, '$.f') = 'object'
             AND entity_id NOT GLOB '*[^0-9]*'
        ELSE json_extract(body, '$.op') = 'put' AND json_type(body, '$.f') = 'object'
             AND coalesce(json_type(body, '$.b'), 'null') IN ('null', 'object')
             AND coalesce(json_type(body, '$.h'), 'null') IN ('null', 'text')
             AND coalesce(json_type(body, '$.f.household_id'), 'null') IN ('null', 'text')
        END
      ELSE 0 END
    LIMIT 1"""
STAGE = """
    CREATE TEMP TABLE stage AS SELECT seq AS n, entity, entity_id AS id, hlc,
      CASE entity WHEN 'event' THEN json_extract(body, '$.household') WHEN 'household' THEN entity_id
           WHEN 'member' THEN coalesce(nullif(json_extract(body, '$.f.household_id'), ''), json_extract(body, '$.h'))
      END AS hh,
      entity = 'household' AND json_type(body, '$.f.grid') IS NOT NULL AS sg,
      CASE WHEN entity = 'household' THEN json_extract(body, '$.f.grid') END AS grid,
      CASE WHEN entity = 'event' THEN json_extract(body, '$.kind') END AS kind,
      CASE WHEN entity = 'event' THEN json_extract(body, '$.date') END AS date,
      CASE entity WHEN 'event' THEN 1 WHEN 'config' THEN 0
           ELSE NOT EXISTS (SELECT 1 FROM json_each(body, '$.b') WHERE type != 'null') END AS fast
    FROM changes WHERE seq > ?"""


def check(ledger: Ledger, start: int) -> None:
    """Refuse the bundle (nothing applied yet) if a new change's body is not what its entity needs."""
    conn = ledger.conn
    try:
        if conn.execute(SHAPE, (start,)).fetchone():
            raise unreadable_line()
        for entity in TABLES:
            known = ", ".join(f"'{c}'" for c in ledger.columns(entity))
            lists = ", ".join(f"'{c}'" for c in sorted(JSON_FIELDS & set(ledger.columns(entity)))) or "NULL"
            row = conn.execute(
                f"""SELECT j.key, j.key IN ({known}) FROM changes c, json_each(c.body, '$.f') j
                    WHERE c.seq > ? AND c.entity = ? AND (j.key NOT IN ({known})
                      OR CASE WHEN j.key IN ({lists}) THEN j.type NOT IN ('null', 'array') ELSE j.type NOT IN {PLAIN} END)
                    ORDER BY j.key IN ({known}) LIMIT 1""", (start, entity)).fetchone()
            if row and not row[1]:
                raise BadFormat(f"同步包含有本版本不认识的字段：{row[0]}", f"the bundle has fields this version does not know: {row[0]}",
                                hint_zh="请升级 grid", hint_en="upgrade grid")
            if row:
                raise damaged("字段值不对", f"bad value for {row[0]}")
            for name in sorted(JSON_FIELDS & set(ledger.columns(entity))):
                if conn.execute(f"SELECT 1 FROM changes c, json_each(c.body, '$.f.{name}') j WHERE c.seq > ?"
                                f" AND c.entity = ? AND json_type(c.body, '$.f.{name}') = 'array' AND j.type != 'text'"
                                " LIMIT 1", (start, entity)).fetchone():
                    raise damaged("字段值不对", f"bad value for {name}")
    except sqlite3.OperationalError as error:  # SQLite's JSON functions on a body they cannot read
        if "JSON" in str(error):
            raise unreadable_line() from None
        raise


def stage(conn, start: int) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.stage")
    conn.execute(STAGE, (start,))
    conn.execute("CREATE INDEX temp.stage_id ON stage(id)")


def drop(conn) -> None:
    for name in ("stage", "allowed", "multi"):
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _insert_new(ledger: Ledger, entity: str) -> str:
    """INSERT ... SELECT of the fast-path rows of one entity table, each column read from its change's body
    (`$.f.<column>`; the table's default when the change does not set it). `_v` gets each field set ->
    "hlc origin", spelled as store.canonical spells it (keys sorted), so both paths store the same text."""
    table = TABLES[entity]
    info = {r[1]: r[4] for r in ledger.conn.execute(f"PRAGMA table_info({table})")}
    cols = ledger.columns(entity)
    values = []
    for col in cols:
        path = f"'$.f.{col}'"
        value = f"json_extract(c.body, {path})"
        if col in JSON_FIELDS:  # a list, stored as canonical JSON of its sorted items
            value = (f"CASE json_type(c.body, {path}) WHEN 'array' THEN (SELECT json_group_array(value) FROM"
                     f" (SELECT value FROM json_each(c.body, {path}) ORDER BY value)) END")
        default = info[col]
        if default is not None and default.upper() != "NULL":
            value = f"CASE WHEN json_type(c.body, {path}) IS NULL THEN {default} ELSE {value} END"
        values.append(value)
    versions = ("'{' || coalesce((SELECT group_concat('\"' || key || '\":\"' || c.hlc || ' ' || c.origin || '\"', ',')"
                " FROM (SELECT key FROM json_each(c.body, '$.f') ORDER BY key)), '') || '}'")
    return (f"INSERT INTO {table} (id, {', '.join(cols)}, _v) SELECT s.id, {', '.join(values)}, {versions}"
            f" FROM stage s JOIN changes c ON c.seq = s.n WHERE s.entity = '{entity}' AND s.fast = 1 ORDER BY s.n")


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
    for entity in TABLES:
        conn.execute(_insert_new(ledger, entity))
    conn.execute("INSERT OR IGNORE INTO household_grids SELECT id, grid FROM stage"
                 " WHERE entity = 'household' AND sg = 1 AND grid IS NOT NULL AND fast = 1")
    slow = conn.cursor()
    slow.execute("SELECT s.n, c.origin, c.origin_seq, c.hlc, c.entity, c.entity_id, c.body FROM stage s"
                 " JOIN changes c ON c.seq = s.n WHERE s.fast = 0 ORDER BY s.n")
    while True:
        batch = slow.fetchmany(1000)
        if not batch:
            break
        for n, origin, seq, hlc, entity, entity_id, body in batch:
            apply_change(conn, {"origin": origin, "seq": seq, "hlc": hlc, "entity": entity, "id": entity_id,
                                "body": json.loads(body), "row": n})
    return by_entity

