"""What a ledger has received, from whom, with which gaps; and the conflicts kept for review."""

from __future__ import annotations

import json
from typing import Any

from grid_cli.errors import NotFound, UsageError
from grid_cli.ledger import Ledger
from grid_cli.ledger.changes import TABLES, VERSION_RE
from grid_cli.rules.config import local_deviations
from grid_cli.ledger import ranges as R
from grid_cli.ledger.ranges import load_ranges, own_max
from grid_cli.place import area, here


def sync_status(ledger: Ledger) -> dict[str, Any]:
    conn = ledger.conn
    me = here(ledger)
    have, cover = load_ranges(conn, "have"), load_ranges(conn, "cover")
    places = {r[0]: {"level": r[1], "code": r[2], "parent": r[3], "last_bundle_at": r[4]}
              for r in conn.execute("SELECT id, level, code, parent, last_bundle_at FROM replicas")}
    counts = dict(conn.execute("SELECT origin, count(*) FROM changes GROUP BY origin").fetchall())
    origins = []
    for origin in sorted(set(have) | set(cover) | set(counts)):
        place = places.get(origin, {})
        if origin == me.replica:
            mine = own_max(conn, origin)
            held = [(1, mine)] if mine else []
            place = {"level": me.level, "code": me.code}
        else:
            held = have.get(origin, [])
        covered = cover.get(origin, held)
        origins.append({
            "origin": origin, "level": place.get("level"), "code": place.get("code"), "self": origin == me.replica,
            "received": counts.get(origin, 0), "have": [list(p) for p in held],
            "covered_to": R.contiguous(covered), "gaps": [list(g) for g in R.gaps(covered)],
            "last_bundle_at": place.get("last_bundle_at"),
        })
    acks: dict[str, dict[str, int]] = {}
    for peer, origin, upto in conn.execute("SELECT peer, origin, upto FROM acks ORDER BY peer, origin"):
        acks.setdefault(peer, {})[origin] = upto
    peers = []
    for rid, place in sorted(places.items(), key=lambda kv: (kv[1]["level"], kv[1]["code"])):
        acked = acks.get(rid, {})
        if acked or place["last_bundle_at"]:
            peers.append({"replica": rid, "level": place["level"], "code": place["code"],
                          "last_bundle_at": place["last_bundle_at"], "acknowledged": acked})
    last = conn.execute("SELECT merged_at, sender, changes, applied FROM bundles ORDER BY merged_at DESC, rowid DESC"
                        " LIMIT 1").fetchone()
    return {
        "replica": me.replica, "level": me.level, "code": me.code, "parent": me.parent,
        "area": area(ledger, me),
        "origins": origins, "peers": peers,
        "last_merge": ({"at": last[0], "sender": last[1], "changes": last[2], "applied": last[3]} if last else None),
        "bundles_merged": conn.execute("SELECT count(*) FROM bundles").fetchone()[0],
        "open_conflicts": conn.execute("SELECT count(*) FROM conflicts WHERE status = 'open'").fetchone()[0],
        "quarantined": conn.execute("SELECT count(*) FROM quarantine WHERE status = 'held'").fetchone()[0],
        "revoked": ledger.query("SELECT replica, level, code, via, revoked_at, revoked_upto FROM trusted_keys"
                                " WHERE revoked_upto IS NOT NULL ORDER BY level, code, revoked_at"),
        "admissions": ledger.query("SELECT a.file_sha256, a.origin, r.level, r.code, a.upto, a.reason, a.at"
                                   " FROM admissions a LEFT JOIN replicas r ON r.id = a.origin ORDER BY a.at, a.origin"),
        "local_rules": local_deviations(ledger),  # rule values the ledgers below set for themselves
    }


def list_conflicts(ledger: Ledger, *, include_closed: bool = False) -> list[dict]:
    """Values that lost a concurrent edit (open), with the household's number and its head's name (and the
    member's name for a member's field); `include_closed` adds those settled since, and equal-valued ones."""
    sql = ("SELECT c.id, c.entity, c.entity_id, c.field, c.kept_value, c.kept_version, c.lost_value, c.lost_version,"
           " c.status, c.noted_at, coalesce(h.id, m.household_id) AS household_id, coalesce(h.hh_no, hm.hh_no) AS hh_no,"
           " m.name AS member_name, (SELECT name FROM members x WHERE x.household_id = coalesce(h.id, m.household_id)"
           " AND x.relation = '户主' AND x.status = '正常' LIMIT 1) AS head_name FROM conflicts c"
           " LEFT JOIN households h ON c.entity = 'household' AND h.id = c.entity_id"
           " LEFT JOIN members m ON c.entity = 'member' AND m.id = c.entity_id"
           " LEFT JOIN households hm ON hm.id = m.household_id")
    if not include_closed:
        sql += " WHERE c.status = 'open'"
    out = []
    for row in ledger.query(sql + " ORDER BY c.id"):
        row["kept_value"] = json.loads(row["kept_value"]) if row["kept_value"] is not None else None
        row["lost_value"] = json.loads(row["lost_value"]) if row["lost_value"] is not None else None
        out.append(row)
    return out


def pick(ledger: Ledger, conflict_id: int, choice: str) -> dict:
    """Settle a conflict. The chosen value is written anew through the Writer: a syncable change that had
    both the current value and the lost one (its base names both), so it wins everywhere and settles the
    same conflict on every other ledger."""
    if choice not in ("kept", "lost"):
        raise UsageError("请选择 kept（保留现值）或 lost（改用落选值）", "choose kept (keep the current value) or lost (take the losing value)")
    rows = ledger.query("SELECT * FROM conflicts WHERE id = ?", (conflict_id,))
    if not rows:
        raise NotFound(f"没有编号为 {conflict_id} 的冲突", f"no conflict {conflict_id}",
                       hint_zh="用 grid sync conflicts 查看", hint_en="list them with `grid sync conflicts`")
    c = rows[0]
    if c["status"] != "open":
        raise UsageError(f"冲突 {conflict_id} 已处理", f"conflict {conflict_id} is already settled",
                         hint_zh="用 grid sync conflicts --all 查看", hint_en="see it with `grid sync conflicts --all`")
    value = json.loads(c[f"{choice}_value"]) if c[f"{choice}_value"] is not None else None
    entity, entity_id, fld = c["entity"], c["entity_id"], c["field"]
    # a re-import's conflict (importer/reconcile.record_conflict) names a file's value, no version: local
    lost = [c["lost_version"]] if VERSION_RE.fullmatch(c["lost_version"] or "") else []
    with ledger.write() as w:
        if entity == "config":
            row = ledger.conn.execute("SELECT _v FROM config WHERE year = ? AND key = ?", (int(entity_id), fld)).fetchone()
            held = json.loads(row[0]).get("value") if row else None
            w._log("config", str(entity_id), {"op": "config", "f": {fld: value}, "b": {fld: [b for b in (held, *lost) if b]}})
        else:
            row = ledger.conn.execute(f"SELECT _v FROM {TABLES[entity]} WHERE id = ?", (entity_id,)).fetchone()
            held = json.loads(row[0]).get(fld) if row else None
            w._log(entity, entity_id, {"op": "put", "f": {fld: value}, "b": {fld: [b for b in (held, *lost) if b]}})
        w.conn.execute("UPDATE conflicts SET status = ? WHERE id = ?", (f"picked-{choice}", conflict_id))
    return {"id": conflict_id, "entity": entity, "entity_id": entity_id, "field": fld, "value": value, "choice": choice}
