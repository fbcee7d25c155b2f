"""Whom a ledger accepts bundles from: a bundle's sender and origins checked against this ledger's place
(grid_cli/place.py) and the bindings in `replicas`. Every other replica a ledger hears of is bound to one
place: a bundle whose sender or origins contradict those bindings is refused as of unknown origin.
"""

from __future__ import annotations

from dataclasses import dataclass

from grid_cli.errors import BadFormat, NotForThisLedger, OutOfScope, UnknownOrigin
from grid_cli.ledger import Ledger
from grid_cli.place import LEVEL_ZH, PARENT_LEVEL, REPLICA_RE, Place, label, my_grids, scope_codes


@dataclass
class Admission:
    direction: str          # "up": from a ledger below us; "down": from the one above
    sender: Place
    allowed_grids: set[str]  # the grids whose households this bundle may touch
    origins: dict[str, dict]


def check_recipient(me: Place, r: dict) -> None:
    """A bundle is for one place (and, when it names one, one replica): this ledger, or it is refused."""
    if r["level"] != me.level or r["code"] != me.code or (r.get("replica") and r["replica"] != me.replica):
        zh, en = label(r["level"], r["code"])
        mzh, men = label(me.level, me.code)
        raise NotForThisLedger(f"这个同步包是给{zh}的，不是给本账本（{mzh}）的",
                               f"this bundle is for {en}, not for this ledger ({men})")


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
