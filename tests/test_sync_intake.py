"""The merge's intake and set-wise apply: a body that is not what its entity needs is refused whole (the frame
of a line is matched in Python, the body checked by SQLite's JSON functions), a change carried twice is
refused, the fast path stores exactly what a local write stores, and events are an index over the change
log (schema migration 4) that an older ledger is migrated to without losing a visit."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from grid_cli.clock import format_hlc, new_id, wall_ms
from grid_cli.ledger import Ledger
from grid_cli.ledger.schema import MIGRATIONS
from grid_cli.ledger.changes import canonical
from synckit import export, merge, refused, rewrite


def _widen(m):
    for origin in m["ranges"]:
        m["ranges"][origin][-1][1] += 1
        m["counts"][origin] += 1


def _with_line(entity: str, entity_id: str, body_text: str):
    """A payload edit appending one well-chained line whose body is `body_text`, as written (even if it is
    not JSON): the frame is right, so only the body check can refuse it."""
    def edit(lines):
        last = json.loads(lines[-1])
        prev = hashlib.sha256(lines[-1].rstrip("\n").encode("utf-8")).hexdigest()
        line = (f'{{"body":{body_text},"entity":"{entity}","hlc":"{format_hlc(wall_ms(), 0)}","id":"{entity_id}",'
                f'"origin":"{last["origin"]}","prev":"{prev}","seq":{last["seq"] + 1}}}\n')
        return [*lines, line]
    return edit


def _household_of(p, name="G1") -> str:
    ledger = Ledger.open(Path(p[name]))
    try:
        return ledger.query("SELECT id FROM households ORDER BY hh_no LIMIT 1")[0]["id"]
    finally:
        ledger.close()


BAD_BODIES = [
    ("household", None, '{"b":{},"f":{"hh_no":"X1",},"op":"put"}', "cannot be read"),            # not JSON
    ("household", None, '{b:{},f:{hh_no:"X1"},op:"put"}', "cannot be read"),                       # JSON5
    ("event", None, '{"data":{},"date":null,"household":null,"kind":7,"op":"event"}', "cannot be read"),
    ("event", None, '{"b":{},"f":{},"op":"put"}', "cannot be read"),                               # op of another entity
    ("household", None, '{"b":{},"f":{"grid":"G1","secret":"x"},"op":"put"}', "does not know"),
    ("household", None, '{"b":{},"f":{"grid":"G1","hh_no":{"a":1}},"op":"put"}', "bad value for hh_no"),
    ("household", None, '{"b":{},"f":{"flags":["低保",1],"grid":"G1"},"op":"put"}', "bad value for flags"),
    ("member", None, '{"b":{},"f":{"household_id":"HH","name":["张三"]},"op":"put"}', "bad value for name"),
    ("config", "x2026", '{"b":{},"f":{"threshold":1},"op":"config"}', "cannot be read"),         # id is not a year
    ("household", None, '{"b":{},"f":{"grid":"G1"},"op":"put"}\x00{"x":1}', "cannot be read"),  # NUL ends SQLite's view
    # review findings: a key twice (SQLite reads the first, Python the last), a key missing, odd values
    ("event", None, '{"data":{},"date":null,"household":"HH","household":"OTHER","kind":"visit","op":"event"}', "cannot be read"),
    ("household", None, '{"b":{},"f":{"grid":"G1","grid":"G2"},"op":"put"}', "cannot be read"),
    ("household", None, '{"b":{},"f":{"grid":"G1","hh_no":"A","hh_no":"B"},"op":"put"}', "cannot be read"),
    ("household", None, '{"b":{},"f":{"grid":"G1"},"op":"put","x":1}', "cannot be read"),
    ("event", None, '{"data":{},"date":null,"kind":"visit","op":"event"}', "cannot be read"),
    ("event", None, '{"data":{},"date":null,"household":"HH","op":"event"}', "cannot be read"),
    ("event", None, '{"data":"abc","date":null,"household":"HH","kind":"visit","op":"event"}', "cannot be read"),
    ("event", None, '{"data":{"note":"\\ud800"},"date":null,"household":"HH","kind":"visit","op":"event"}', "cannot be read"),
    ("household", None, '{"b":{},"op":"put"}', "cannot be read"),
    ("household", None, '{"b":{},"f":{"flags":"abc","grid":"G1"},"op":"put"}', "bad value for flags"),
    ("household", None, '{"b":{},"f":{"flags":5,"grid":"G1"},"op":"put"}', "bad value for flags"),
    ("household", None, '{"b":{},"f":{"grid":"G1","group_no":123456789012345678901234567890},"op":"put"}', "bad value for group_no"),
    ("household", None, '{"b":{"hh_no":5},"f":{"grid":"G1","hh_no":"X"},"op":"put"}', "bad base version"),
    ("config", "20260", '{"b":{},"f":{"threshold":1},"op":"config"}', "cannot be read"),
]


@pytest.mark.parametrize("entity,entity_id,body,words", BAD_BODIES,
                         ids=[f"{e}-{w}-{i}" for i, (e, _id, _b, w) in enumerate(BAD_BODIES)])
def test_a_body_not_fit_for_its_entity_is_refused_whole(tree, entity, entity_id, body, words):
    body = body.replace("HH", _household_of(tree))
    entity_id = entity_id or new_id()
    crafted = rewrite(export(tree, "G1"), tree["dir"] / "bad.zip", lines=_with_line(entity, entity_id, body),
                      manifest=_widen, p=tree)
    refused(tree, "T1", crafted, [words])


def test_valid_json_the_fast_decoder_refuses_still_reads():
    """SQLite's validator takes a lone surrogate escape and a 30-digit integer; readers must not fail on them."""
    from grid_cli.fastjson import loads

    assert loads('{"a":"\\ud800","n":1000000000000000000000000000000}') == {"a": "\ud800", "n": 10 ** 30}


def test_a_change_carried_twice_is_refused(tree):
    twice = rewrite(export(tree, "G1"), tree["dir"] / "twice.zip", lines=lambda ls: [*ls, ls[-1]],
                    manifest=lambda m: m["counts"].update({o: n + 1 for o, n in m["counts"].items()}), p=tree)
    refused(tree, "T1", twice, ["appears twice"])


def test_the_fast_path_stores_what_a_local_write_stores(tree):
    """New households and members reach the township through the set-wise path; every column, `_v`
    included, must read as the grid's own ledger has it (lists sorted, yes/no as 1/0, defaults filled)."""
    p = tree
    ledger = Ledger.open(Path(p["G1"]))
    try:
        with ledger.write() as w:
            hid = new_id()
            w.put("household", hid, {"hh_no": "G1-flags", "grid": "G1", "flags": ["特困", "低保", "易地搬迁"],
                                     "hh_type": "脱贫户"})
            w.put("member", new_id(), {"household_id": hid, "name": "李四", "chronic_card": True, "work_months": 7,
                                       "medical_insurance": False, "relation": "户主"})
    finally:
        ledger.close()
    merge(p, "T1", export(p, "G1"))

    def rows(name):
        led = Ledger.open(Path(p[name]))
        try:
            return (led.query("SELECT * FROM households WHERE grid = 'G1' ORDER BY id"),
                    led.query("SELECT m.* FROM members m JOIN households h ON h.id = m.household_id"
                              " WHERE h.grid = 'G1' ORDER BY m.id"))
        finally:
            led.close()

    grid_rows, township_rows = rows("G1"), rows("T1")
    assert township_rows == grid_rows
    flagged = next(h for h in township_rows[0] if h["hh_no"] == "G1-flags")
    assert flagged["flags"] == canonical(sorted(["特困", "低保", "易地搬迁"])) and flagged["status"] == "正常"
    assert json.loads(flagged["_v"]).keys() == {"hh_no", "grid", "flags", "hh_type"}


# -- migration 4: events become an index over the change log -------------------------------------
def _ledger_at_schema_3(path: Path) -> tuple[str, str]:
    """A ledger as grid wrote it before migration 4: an `events` table holding each visit's data again."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE migrations (id INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    for number, name, sql in MIGRATIONS[:3]:
        for statement in filter(str.strip, sql.split(";")):
            conn.execute(statement)
        conn.execute("INSERT INTO migrations VALUES (?, ?, datetime('now'))", (number, name))
    hid, origin = new_id(), "0" * 32
    conn.execute("INSERT INTO households (id, hh_no, grid, _v) VALUES (?, 'H1', 'G1', '{}')", (hid,))
    for seq, (kind, date, data) in enumerate([("visit", "2026-03-01", {"income": {"wages": 9000}, "note": "走访"}),
                                              ("visit", "2026-04-01", {"income": {"wages": 8000}}),
                                              ("include", "2026-04-02", {"category": "边缘易致贫户", "risks": ["因病"]})], 1):
        event_id, hlc = new_id(), format_hlc(1_770_000_000_000 + seq, 0)
        body = {"op": "event", "kind": kind, "household": hid, "date": date, "data": data}
        conn.execute("INSERT INTO changes (origin, origin_seq, hlc, entity, entity_id, body) VALUES (?, ?, ?, 'event', ?, ?)",
                     (origin, seq, hlc, event_id, canonical(body)))
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", (event_id, hid, kind, date, canonical(data), hlc, origin))
    conn.close()
    return hid, origin


def test_migration_4_keeps_an_event_whose_change_is_gone(tmp_path):
    """A tampered ledger (a change deleted: `grid verify` reports the hole) still opens; the event whose
    change is gone is kept, as it was, in events_legacy; the ledger shows what its change log holds."""
    path = tmp_path / "old.db"
    _ledger_at_schema_3(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM changes WHERE origin_seq = 2")
    before = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    conn.close()
    ledger = Ledger.open(path)
    try:
        shown = [tuple(r) for r in ledger.conn.execute("SELECT * FROM events ORDER BY id")]
        kept = [tuple(r) for r in ledger.conn.execute("SELECT * FROM events_legacy")]
    finally:
        ledger.close()
    assert len(kept) == 1 and sorted(shown + kept) == sorted(before)


def test_migration_4_keeps_every_event_readable_as_before(tmp_path):
    path = tmp_path / "old.db"
    _ledger_at_schema_3(path)
    conn = sqlite3.connect(path)
    before = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    conn.close()
    ledger = Ledger.open(path)
    try:
        after = [tuple(r) for r in ledger.conn.execute("SELECT * FROM events ORDER BY id")]
        kinds = {r[0] for r in ledger.conn.execute("SELECT type FROM sqlite_master WHERE name = 'events'")}
        held = ledger.conn.execute("SELECT count(*) FROM event_index").fetchone()[0]
    finally:
        ledger.close()
    assert len(before) == 3 and after == before
    assert kinds == {"view"} and held == 3
