"""Changes held back from a merge, and their release.

A change stamped further ahead of this computer's clock than the merge allows (`--max-skew-hours`, 24 by
default: a laptop whose clock runs fast) is held in `quarantine`, not applied: applying it would drag this
ledger's clock into the future. It is released, checked and applied exactly as its bundle's other changes
were (under that bundle's sender), either
  - by itself, at the next merge once its stamp is within the limit (a later bundle, with sane clocks), or
  - by staff: `grid sync quarantine --release ID|--all`, an audited decision.
A change whose (origin, seq) is held here with other content (a forked history) and an event id reused with
other content are kept for examination, never released.
"""

from __future__ import annotations

from grid_cli.errors import BundleRefused, NotFound, UsageError
from grid_cli.ledger import Ledger
from grid_cli.ledger.apply import advance_clock, apply_staged, drop, stage
from grid_cli.ledger.changes import FUTURE
from grid_cli.sync.intake import HEAD, TAIL, INSERT
from grid_cli.place import Place, here
from grid_cli.sync.admission import admission_for, check_scope


def list_quarantine(ledger: Ledger, *, include_released: bool = False) -> list[dict]:
    sql = ("SELECT q.id, q.origin, q.origin_seq, q.reason, q.noted_at, q.status, q.body, r.level, r.code"
           " FROM quarantine q LEFT JOIN replicas r ON r.id = q.origin")
    if not include_released:
        sql += " WHERE q.status = 'held'"
    out = []
    for row in ledger.query(sql + " ORDER BY q.id"):
        line = _parse(row.pop("body"))
        row["releasable"] = row["reason"] == FUTURE and row["status"] == "held" and line is not None
        row["entity"], row["hlc"] = (line[3], line[2]) if line else (None, None)
        out.append(row)
    return out


def _parse(text: str) -> tuple | None:
    """(origin, seq, hlc, entity, id, body, prev) of a held-back change line."""
    data = text.encode("utf-8")
    cut = data.rfind(b',"origin":"')
    tail = TAIL.fullmatch(data, cut) if cut > 0 else None
    head = HEAD.fullmatch(data, 0, cut) if tail else None
    if head is None:
        return None
    origin, prev, seq = tail.groups()
    body, entity, hlc, eid = head.groups()
    return (origin.decode(), int(seq), hlc.decode(), entity.decode(), eid.decode(), body.decode("utf-8"),
            prev.decode() if prev else None)


def release(ledger: Ledger, ids: list[int] | None) -> dict:
    """Release held-back changes (all of them with `ids` None): an audited decision. Returns
    {released: [ids], refused: {id: reason}}."""
    held = {r["id"]: r for r in list_quarantine(ledger)}
    if ids is None:
        chosen = [i for i, r in held.items() if r["releasable"]]
    else:
        for i in ids:
            if i not in held:
                raise NotFound(f"没有编号为 {i} 的隔离变更", f"no held-back change {i}",
                               hint_zh="用 grid sync quarantine 查看", hint_en="list them with `grid sync quarantine`")
            if not held[i]["releasable"]:
                raise UsageError(f"隔离变更 {i} 不能放行：{held[i]['reason']}", f"held-back change {i} cannot be released: "
                                 f"{held[i]['reason']}", hint_zh="它与本账本已有的变更冲突，留作核查",
                                 hint_en="it clashes with a change held here; it is kept for examination")
        chosen = list(ids)
    if not chosen:
        return {"released": [], "refused": {}}
    with ledger.write() as w:
        done = _release(ledger, here(ledger), chosen)
        w.audit("quarantine-release", f"{len(done['released'])} released, {len(done['refused'])} refused")
    return done


def release_due(ledger: Ledger, me: Place, limit_hlc: str) -> int:
    """Inside a merge's transaction: release the changes whose clock is within the limit by now."""
    due = []
    for qid, body in ledger.conn.execute("SELECT id, body FROM quarantine WHERE status = 'held' AND reason = ?",
                                         (FUTURE,)).fetchall():
        line = _parse(body)
        if line is not None and line[2] <= limit_hlc:
            due.append(qid)
    return len(_release(ledger, me, due)["released"]) if due else 0


def _release(ledger: Ledger, me: Place, ids: list[int]) -> dict:
    """Append each change to the log and apply it as its merge would have, one sender at a time (a change
    its sender could not make is refused, the others still go)."""
    conn = ledger.conn
    rows = conn.execute(f"SELECT id, sender, body FROM quarantine WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id",
                        ids).fetchall()
    by_sender: dict = {}
    for qid, sender, body in rows:
        by_sender.setdefault(sender, []).append((qid, _parse(body)))
    out = {"released": [], "refused": {}}
    for sender, items in by_sender.items():
        adm = admission_for(ledger, me, sender)
        conn.execute("SAVEPOINT release")
        try:
            if adm is None:
                raise BundleRefused("发送方不明", "the sender is not known here")
            start = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
            conn.executemany(INSERT, [line for _qid, line in items])
            stage(ledger, start)
            check_scope(conn, adm)
            apply_staged(ledger)
            advance_clock(conn)
            conn.executemany("UPDATE quarantine SET status = 'released' WHERE id = ?", [(q,) for q, _ in items])
            conn.execute("RELEASE release")
            out["released"] += [q for q, _ in items]
        except BundleRefused as error:
            conn.execute("ROLLBACK TO release")
            conn.execute("RELEASE release")
            conn.executemany("UPDATE quarantine SET status = 'refused' WHERE id = ?", [(q,) for q, _ in items])
            out["refused"].update({q: error.message("en") for q, _ in items})
        finally:
            drop(conn)
    return out
