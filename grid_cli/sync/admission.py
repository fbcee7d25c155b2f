"""Whom a ledger accepts bundles from: a bundle's sender and origins checked against this ledger's place
(grid_cli/place.py) and the bindings in `replicas`. Every other replica a ledger hears of is bound to one
place: a bundle whose sender or origins contradict those bindings is refused as of unknown origin.
"""

from __future__ import annotations

from dataclasses import dataclass

from grid_cli.errors import BadFormat, NotForThisLedger, OutOfScope, UnknownOrigin
from grid_cli.ledger import Ledger
from grid_cli.place import LEVEL_ZH, PARENT_LEVEL, REPLICA_RE, Place, check_recipient, label, my_grids, scope_codes


@dataclass
class Admission:
    direction: str          # "up": from a ledger below us; "down": from the one above
    sender: Place
    allowed_grids: set[str]  # the grids whose households this bundle may touch
    origins: dict[str, dict]


def admit(ledger: Ledger, me: Place, m: dict) -> Admission:
    """Check who sent the bundle and to whom, against this ledger's place and bindings."""
    s, r = m["sender"], m["recipient"]
    for replica in [s["replica"], *m["origins"]]:
        if not REPLICA_RE.fullmatch(str(replica)):
            raise BadFormat("同步包的副本编号不对", "the bundle has a malformed replica id")
    sender = Place(s["replica"], s["level"], s["code"], s.get("parent"))
    if sender.replica == me.replica:
        raise NotForThisLedger("这个同步包是本账本自己导出的", "this bundle was exported by this very ledger",
                               hint_zh="把它交给接收方合并", hint_en="give it to its recipient to merge")
    check_recipient(me, r)
    szh, sen = label(sender.level, sender.code)
    if PARENT_LEVEL.get(me.level) == sender.level:
        direction = "down"
        if sender.code != me.parent:
            mzh, men = label(PARENT_LEVEL[me.level], str(me.parent))
            raise UnknownOrigin(f"同步包来自{szh}，但本账本属于{mzh}", f"the bundle comes from {sen}, but this ledger belongs to {men}")
        allowed = my_grids(ledger, me)
    elif PARENT_LEVEL.get(sender.level) == me.level:
        direction = "up"
        if sender.parent != me.code or sender.code not in scope_codes(ledger, sender.level):
            raise OutOfScope(f"{szh}不在本{LEVEL_ZH[me.level]}的范围内", f"{sen} is not within this {me.level}'s area",
                             hint_zh="用 grid sync scope --add 加入范围", hint_en="add it with `grid sync scope --add`")
        if sender.level == "grid":
            allowed = {sender.code}
        else:
            declared = {str(g) for g in m["scope"].get("grids", [])}
            for grid in declared:
                row = ledger.conn.execute("SELECT parent FROM scope WHERE code = ? AND level = 'grid'", (grid,)).fetchone()
                if row is not None and row[0] != sender.code:
                    raise OutOfScope(f"网格 {grid} 属于乡镇 {row[0]}，不属于 {sender.code}",
                                     f"grid {grid} belongs to township {row[0]}, not {sender.code}")
            allowed = declared | set(scope_codes(ledger, "grid", sender.code))
    else:
        raise UnknownOrigin(f"{LEVEL_ZH[me.level]}账本不接收来自{szh}的同步包",
                            f"a {me.level} ledger does not take bundles from {sen}")
    if m["direction"] != direction:
        raise BadFormat("同步包的方向与发送方不符", "the bundle's direction does not match its sender")
    origins = dict(m["origins"])
    origins[sender.replica] = {"level": sender.level, "code": sender.code, "parent": sender.parent}
    row = ledger.conn.execute("SELECT retired_at FROM replicas WHERE id = ?", (sender.replica,)).fetchone()
    sealed = m["version"] >= 2
    if row is not None and row[0] and not sealed:  # a sealed one: its key's revocation cut-off decides
        raise UnknownOrigin(f"{szh}的这个副本（{sender.replica[-8:]}）已被替换，不再接收它的同步包",
                            f"this replica of {sen} ({sender.replica[-8:]}) was replaced; its bundles are no longer taken")
    for replica, info in origins.items():
        zh, en = label(info["level"], info["code"])
        if direction == "up" and replica != sender.replica and not (
                sender.level == "township" and info["level"] == "grid" and info["code"] in allowed):
            # up, a ledger speaks only for its own area: a grid for itself, a township for itself and its grids
            raise UnknownOrigin(f"{szh}的同步包含有{zh}的变更：只能转交本辖区的变更",
                                f"the bundle of {sen} carries changes of {en}: it may carry only its own area's",
                                hint_zh="不要合并；核查发送方", hint_en="do not merge it; have the sender checked")
        if replica == me.replica:
            continue
        row = ledger.conn.execute("SELECT level, code, retired_at FROM replicas WHERE id = ?", (replica,)).fetchone()
        if row is not None and (row[0], row[1]) != (info["level"], info["code"]):
            ozh, oen = label(row[0], row[1])
            raise UnknownOrigin(f"副本 {replica[-8:]} 自称{zh}，但已登记为{ozh}",
                                f"replica {replica[-8:]} claims to be {en} but is known as {oen}")
        if sealed or (row is not None and row[2]):
            continue  # sealed: each origin is checked against its own key; a replaced replica's history is still taken
        other = ledger.conn.execute("SELECT id FROM replicas WHERE level = ? AND code = ? AND retired_at IS NULL",
                                    (info["level"], info["code"])).fetchone()
        if other is not None and other[0] != replica:
            raise UnknownOrigin(f"{zh}已登记为另一个副本（{other[0][-8:]}），这个同步包来自未知副本 {replica[-8:]}",
                                f"{en} is enrolled as another replica ({other[0][-8:]}); this bundle holds changes from "
                                f"an unknown replica {replica[-8:]}",
                                hint_zh="若该网格换了电脑，请由乡镇重新登记", hint_en="if that grid changed laptops, re-enrol it at the township")
    return Admission(direction, sender, allowed, origins)


def remember(ledger: Ledger, adm: Admission, me: Place) -> None:
    """Bind the sender and the bundle's origins to their places (inside the merge transaction)."""
    conn = ledger.conn
    for replica, info in adm.origins.items():
        if replica == me.replica:
            continue
        conn.execute("INSERT OR IGNORE INTO replicas (id, level, code, parent, first_seen) VALUES (?, ?, ?, ?, datetime('now'))",
                     (replica, info["level"], info["code"], info.get("parent")))
        if me.level == "county" and info["level"] == "grid" and info.get("parent"):
            conn.execute("INSERT OR IGNORE INTO scope (code, level, parent) VALUES (?, 'grid', ?)", (info["code"], info["parent"]))
    conn.execute("UPDATE replicas SET last_bundle_at = datetime('now') WHERE id = ?", (adm.sender.replica,))
    if me.level == "county" and adm.direction == "up":
        conn.executemany("INSERT OR IGNORE INTO scope (code, level, parent) VALUES (?, 'grid', ?)",
                         [(g, adm.sender.code) for g in sorted(adm.allowed_grids)])


def admission_for(ledger: Ledger, me: Place, sender_replica: str | None) -> Admission | None:
    """The admission a bundle from this (known) sender had: what its changes may touch (a held-back change
    is checked under it when it is released)."""
    row = ledger.conn.execute("SELECT level, code, parent FROM replicas WHERE id = ?", (sender_replica,)).fetchone()
    if row is None:
        return None
    sender = Place(sender_replica, row[0], row[1], row[2])
    if PARENT_LEVEL.get(me.level) == sender.level:
        return Admission("down", sender, my_grids(ledger, me), {})
    if PARENT_LEVEL.get(sender.level) == me.level:
        grids = {sender.code} if sender.level == "grid" else set(scope_codes(ledger, "grid", sender.code))
        return Admission("up", sender, grids, {})
    return None


def check_scope(conn, adm: Admission) -> None:
    """The staged changes (ledger/apply.stage) touch only what the bundle's sender may touch; raises OutOfScope."""
    conn.execute("CREATE TEMP TABLE allowed (grid TEXT PRIMARY KEY)")
    conn.executemany("INSERT INTO allowed VALUES (?)", [(g,) for g in sorted(adm.allowed_grids)])
    if adm.direction == "up":
        row = conn.execute("SELECT id FROM stage WHERE entity = 'config' LIMIT 1").fetchone()
        if row:
            raise OutOfScope("下级的同步包不能修改年度规则", "a bundle from below may not change the year's rules")
        row = conn.execute("SELECT id, grid FROM stage WHERE entity = 'household' AND sg = 1 AND grid IS NOT NULL"
                           " AND grid != '' AND grid NOT IN (SELECT grid FROM allowed) LIMIT 1").fetchone()
        if row:
            raise OutOfScope(f"同步包把户 {row[0][-8:]} 移到了范围外的网格 {row[1]}（户的迁移须由乡镇决定）",
                             f"the bundle moves household {row[0][-8:]} to grid {row[1]}, outside its area "
                             "(moving a household is a township decision)")
        # a household recorded at a hub without a grid (before grids were required there) may come up once a
        # later change of the same bundle places it (`grid sync repair`); left without one, it is refused
        row = conn.execute("""SELECT s.id FROM stage s WHERE s.entity = 'household' AND s.sg = 1
                              AND coalesce(s.grid, '') IN ('', 0) AND NOT EXISTS (
                                  SELECT 1 FROM stage t WHERE t.entity = 'household' AND t.sg = 1 AND t.id = s.id
                                  AND (t.hlc > s.hlc OR (t.hlc = s.hlc AND t.n > s.n))) LIMIT 1""").fetchone()
        if row:
            raise OutOfScope(f"同步包中的户 {row[0][-8:]} 没有所属网格", f"household {row[0][-8:]} in the bundle belongs to no grid",
                             hint_zh="发送方运行 grid sync repair 为它指定网格后重新导出",
                             hint_en="the sender runs `grid sync repair` to place it in a grid, then exports again")
    # (an event about a ledger, not a household, names none: the shape check let only those through)
    row = conn.execute("SELECT s.id, s.hh FROM stage s WHERE s.entity = 'event' AND s.hh IS NOT NULL AND NOT EXISTS"
                       " (SELECT 1 FROM households x WHERE x.id = s.hh) AND NOT EXISTS"
                       " (SELECT 1 FROM stage p WHERE p.entity = 'household' AND p.id = s.hh) LIMIT 1").fetchone()
    if row:
        raise OutOfScope(f"同步包中的记录 {row[0][-8:]} 指向本账本没有、同步包也没带来的户 {str(row[1])[-8:]}",
                         f"record {row[0][-8:]} names household {str(row[1])[-8:]}, which this ledger does not hold"
                         " and the bundle does not bring")
    conn.execute("UPDATE stage SET hh = (SELECT household_id FROM members m WHERE m.id = stage.id)"
                 " WHERE entity = 'member' AND hh IS NULL")
    row = conn.execute("SELECT id FROM stage WHERE entity = 'member' AND hh IS NULL LIMIT 1").fetchone()
    if row:
        raise OutOfScope(f"成员 {row[0][-8:]} 不属于任何已知的户", f"member {row[0][-8:]} belongs to no known household")
    claim = 1 if adm.direction == "down" else 0
    row = conn.execute(
        """
        WITH hs(h) AS (
            SELECT hh FROM stage WHERE hh IS NOT NULL
            UNION SELECT m.household_id FROM stage s JOIN members m ON m.id = s.id
                  WHERE s.entity = 'member' AND m.household_id IS NOT NULL)
        SELECT h FROM hs
        WHERE NOT EXISTS (SELECT 1 FROM household_grids g WHERE g.household_id = hs.h
                          AND g.grid IN (SELECT grid FROM allowed))
          AND NOT ((? OR NOT EXISTS (SELECT 1 FROM households x WHERE x.id = hs.h))
                   AND EXISTS (SELECT 1 FROM stage p WHERE p.id = hs.h AND p.entity = 'household' AND p.sg = 1
                               AND p.grid IN (SELECT grid FROM allowed)))
        LIMIT 1
        """, (claim,)).fetchone()
    if row:
        raise OutOfScope(f"同步包涉及范围外的户 {row[0][-8:]}", f"the bundle touches household {row[0][-8:]}, outside its area")
    from grid_cli.lifecycle import forbidden_step  # a step (or the year's rules) its origin's level may not take

    refusal = forbidden_step(conn, adm.origins)
    if refusal:
        raise OutOfScope(*refusal)
