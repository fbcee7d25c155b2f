"""Exporting a bundle: everything the recipient has not acknowledged, within its scope.

Up (grid -> township -> county): every change not yet acknowledged by the level above, from every origin
this ledger holds (a hub relays its grids' changes), except rule configuration, which only flows down.
Down (`--for GRID` from a township, `--for TOWNSHIP` from the county): only the recipient's households
(their members, visits, measures, decisions), the household moves out of its area, and the year's rules.
A household moved into the recipient's area travels with its whole history.

Up, a ledger speaks only for its own area: a grid sends its own changes, a township its own and its grids'.

Sealing: a ledger with keys writes format 3 (signed by this ledger, encrypted to the recipient's enrolled
key; grid_cli/security/envelope.py), with every origin's changes proven against that origin's signed chain
head (security/heads.py; a hub first states the keys it enrolled, security/statements.py, so they travel
in the same bundle), and refuses to export to a recipient it has not enrolled. A ledger without keys
writes the unsealed format 1 (legacy, and tests of the plain format).

Acknowledgements: each bundle carries its sender's `have` vector (per origin, how far it is covered without
a hole); the receiver keeps it in `acks` and starts its next export to that peer above it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import zipfile
from array import array
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from grid_cli.clock import HLC, new_id, now_utc
from grid_cli.errors import Refused, UsageError
from grid_cli.exports.files import check_target
from grid_cli.ledger import Ledger
from grid_cli.ledger.changes import LINE_COLUMNS, change_line
from grid_cli.ledger import ranges as R
from grid_cli.place import CHILD_LEVEL, LEVEL_ZH, PARENT_LEVEL, Place, here, label, scope_codes
from grid_cli.security.envelope import SEALED, SIGNATURE, SealWriter, security_block
from grid_cli.security.heads import plan, proof, sign_own_head
from grid_cli.security.keys import has_keys, load_keys
from grid_cli.security.statements import publish
from grid_cli.security.trust import signer_of
from grid_cli.sync.format import FORMAT, MANIFEST, PAYLOAD, UNSEALED_VERSION, VERSION, dumps
from grid_cli.ledger.ranges import load_ranges, own_max



@dataclass
class ExportResult:
    path: str
    direction: str
    recipient: dict
    changes: int
    counts: dict = field(default_factory=dict)
    bytes: int = 0
    last_own: int = 0     # this ledger's own last change: a monitor can state it if the laptop is lost

    def as_dict(self) -> dict:
        return asdict(self)


def _safe(text: str) -> str:
    return re.sub(r"[^\w\-]+", "_", text)[:40] or "x"


def recipient_of(ledger: Ledger, me: Place, for_code: str | None) -> tuple[str, dict, set[str] | None]:
    """(direction, recipient, recipient's grids for a down bundle)."""
    if for_code is None:
        if me.level == "county":
            raise UsageError("县级账本没有上级；向下导出请用 --for 乡镇", "a county ledger has no level above; use --for TOWNSHIP")
        level = PARENT_LEVEL[me.level]
        return "up", {"level": level, "code": me.parent}, None
    if me.level == "grid":
        raise UsageError("网格账本只向乡镇导出（不用 --for）", "a grid ledger exports only to its township (drop --for)")
    level = CHILD_LEVEL[me.level]
    if for_code not in scope_codes(ledger, level):
        raise UsageError(f"{for_code} 不在本{LEVEL_ZH[me.level]}的范围内", f"{for_code} is not within this {me.level}'s area",
                         hint_zh="用 grid sync status 查看范围", hint_en="see the area with `grid sync status`")
    grids = {for_code} if level == "grid" else set(scope_codes(ledger, "grid", for_code))
    return "down", {"level": level, "code": for_code}, grids


def sealing_for(ledger: Ledger, recipient: dict):
    """(this ledger's keys, the recipient's trusted key) if this ledger seals its bundles, else None."""
    if not has_keys(ledger):
        return None
    keys = load_keys(ledger)
    key = signer_of(ledger, Place("", recipient["level"], recipient["code"], None))
    if key is None:
        zh, en = label(recipient["level"], recipient["code"])
        if recipient["level"] == PARENT_LEVEL.get(here(ledger).level):
            hint_zh, hint_en = "用上级发放的登记文件运行 grid enroll FILE", "run `grid enroll FILE` with the enrolment file from above"
        else:
            hint_zh, hint_en = "用对方的公钥文件运行 grid trust add FILE", "run `grid trust add FILE` with its public-key file"
        raise Refused(f"{zh}尚未登记（或密钥已作废），不能给它导出加密同步包", f"{en} is not enrolled here (or its key is revoked);"
                      " cannot seal a bundle for it", hint_zh=hint_zh, hint_en=hint_en)
    return keys, key


def relayable(ledger: Ledger, me: Place, direction: str, origins) -> set[str]:
    """The origins a bundle may carry. Up, a ledger speaks only for its own area: a grid for itself, a
    township for itself and its grids (a receiver refuses anything else). Down, anything the recipient's
    households need, each origin's changes proven by that origin's own signed head."""
    origins = set(origins)
    if direction == "down":
        return origins
    if me.level == "grid":
        return origins & {me.replica}
    area = set(scope_codes(ledger, "grid"))
    out = origins & {me.replica}
    for origin in origins - out:
        row = ledger.conn.execute("SELECT level, code FROM replicas WHERE id = ?", (origin,)).fetchone()
        if row is not None and row[0] == "grid" and row[1] in area:
            out.add(origin)
    return out


def export_bundle(ledger: Ledger, out: Path | None = None, *, for_code: str | None = None,
                  progress: Callable[[int, int], None] | None = None, now: dt.datetime | None = None) -> ExportResult:
    me = here(ledger)
    conn = ledger.conn
    direction, recipient, grids = recipient_of(ledger, me, for_code)
    sealing = sealing_for(ledger, recipient)
    if sealing is not None:
        peer = sealing[1]["replica"]
        publish(ledger)  # what this hub decided about keys travels in this very bundle
        with ledger.write() as w:
            last_own = sign_own_head(w.conn, me.replica, sealing[0])
    else:
        row = conn.execute("SELECT id FROM replicas WHERE level = ? AND code = ? AND retired_at IS NULL",
                           (recipient["level"], recipient["code"])).fetchone()
        peer = row[0] if row else None
        last_own = own_max(conn, me.replica)
    recipient["replica"] = peer
    stamp = now or now_utc()
    out = Path(out) if out else Path.cwd()
    if out.is_dir() or str(out).endswith(("/", "\\")) or not out.suffix:  # a folder (made if need be)
        out = out / bundle_name(me.code, recipient["code"], stamp, last_own)
    out.parent.mkdir(parents=True, exist_ok=True)
    out = check_target(out)  # a regular file in a folder that takes one, or one line saying why not

    with ledger.transaction(temp=EXPORT_TEMP):  # one consistent snapshot
        acks = {o: n for o, n in conn.execute("SELECT origin, upto FROM acks WHERE peer = ?", (peer,))} if peer else {}
        held = load_ranges(conn, "cover")  # what we hold, or know is not for us (and so not for them)
        mine = own_max(conn, me.replica)
        if mine:
            held[me.replica] = [(1, mine)]
        base = {o: R.above(r, acks.get(o, 0)) for o, r in held.items() if o != peer}
        allowed = relayable(ledger, me, direction, base)
        base = {o: r for o, r in base.items() if r and o in allowed}
        moved = _prepare_down(conn, base, acks, grids) if direction == "down" else {}
        plans = None
        if sealing is not None:
            plans = {}
            for o in sorted(set(base) | set(moved)):
                runs = R.union(base.get(o, []), R.above(held.get(o, []), moved[o] - 1) if o in moved else [])
                found = plan(conn, o, me.replica, runs, held.get(o, [])) if runs else None
                if found is not None:
                    plans[o] = found
            base = {o: p.runs for o, p in plans.items()}
        rows = _select(conn, direction, base, acks, peer)
        bundle = Outgoing(me, direction, recipient, grids, base, held, stamp, last_own, sealing, plans)
        manifest, nbytes = _write(out, rows, ledger, bundle, progress)
    with ledger.write() as w:
        w.audit("sync-export", f"{direction} {recipient['level']} {recipient['code']}: {manifest['payload']['lines']} changes")
    return ExportResult(str(out), direction, recipient, manifest["payload"]["lines"], manifest["counts"], nbytes, last_own)


def bundle_name(sender: str, recipient: str, stamp: dt.datetime, last_own: int) -> str:
    """grid-SENDER-to-RECIPIENT-<local time and zone>-s<the sender's own last change>-<random>.zip: a person
    reads the time in their own zone, and a monitor who loses the laptop can state the last change it sent."""
    local = stamp.astimezone()
    return f"grid-{_safe(sender)}-to-{_safe(recipient)}-{local:%Y%m%d-%H%M%S%z}-s{last_own}-{new_id()[-6:]}.zip"


EXPORT_TEMP = ("xg", "xack", "xs", "xout", "xin")  # a down bundle's working tables (_prepare_down)
HOUSEHOLD_OF = ("(CASE c.entity WHEN 'household' THEN c.entity_id"
                " WHEN 'member' THEN (SELECT household_id FROM members m WHERE m.id = c.entity_id)"
                " WHEN 'event' THEN (SELECT household_id FROM event_index e WHERE e.id = c.entity_id) END)")


def _prepare_down(conn, base, acks, grids) -> dict[str, int]:
    """The recipient's households (xs), those that left its area (xout) and those that came into it since its
    acknowledgement (xin: their whole history travels). Returns, per origin, the first change of that history."""
    for ddl in ("CREATE TEMP TABLE xg (grid TEXT PRIMARY KEY)", "CREATE TEMP TABLE xack (origin TEXT PRIMARY KEY, upto INTEGER)",
                "CREATE TEMP TABLE xs (h TEXT PRIMARY KEY)", "CREATE TEMP TABLE xout (h TEXT PRIMARY KEY)",
                "CREATE TEMP TABLE xin (h TEXT PRIMARY KEY)"):
        conn.execute(ddl)
    conn.executemany("INSERT INTO xg VALUES (?)", [(g,) for g in sorted(grids)])
    conn.executemany("INSERT INTO xack VALUES (?, ?)", [(o, acks.get(o, 0)) for o in base])
    conn.execute("INSERT INTO xs SELECT id FROM households WHERE grid IN (SELECT grid FROM xg)")
    conn.execute("INSERT OR IGNORE INTO xout SELECT household_id FROM household_grids"
                 " WHERE grid IN (SELECT grid FROM xg) AND household_id NOT IN (SELECT h FROM xs)")
    conn.execute("INSERT OR IGNORE INTO xin SELECT c.entity_id FROM changes c JOIN xs ON xs.h = c.entity_id"
                 " JOIN xack a ON a.origin = c.origin WHERE c.entity = 'household' AND c.origin_seq > a.upto"
                 " AND json_extract(c.body, '$.f.grid') IN (SELECT grid FROM xg)")
    return dict(conn.execute(f"SELECT c.origin, min(c.origin_seq) FROM changes c WHERE c.entity != 'config'"
                             f" AND {HOUSEHOLD_OF} IN (SELECT h FROM xin) GROUP BY c.origin").fetchall())


def _select(conn, direction, base, acks, peer):
    if direction == "up":
        for origin in sorted(base):
            yield from conn.execute(
                f"SELECT {LINE_COLUMNS} FROM changes"
                " WHERE origin = ? AND origin_seq > ? AND entity != 'config' ORDER BY origin_seq",
                (origin, acks.get(origin, 0)))
        return
    yield from conn.execute(
        f"""SELECT c.origin, c.origin_seq, c.hlc, c.entity, c.entity_id, c.body, c.prev FROM changes c
            LEFT JOIN xack a ON a.origin = c.origin
            WHERE c.origin IS NOT ? AND (
              (a.origin IS NOT NULL AND c.origin_seq > a.upto AND (
                  c.entity IN ('config', 'key')
                  OR {HOUSEHOLD_OF} IN (SELECT h FROM xs)
                  OR (c.entity = 'household' AND c.entity_id IN (SELECT h FROM xout)
                      AND json_type(c.body, '$.f.grid') IS NOT NULL)))
              OR (c.entity != 'config' AND {HOUSEHOLD_OF} IN (SELECT h FROM xin)))
            ORDER BY c.origin, c.origin_seq""", (peer,))


@dataclass
class Outgoing:
    """What one bundle is, as decided inside the export's snapshot (export_bundle), for `_write`."""
    me: Place
    direction: str                  # "up" | "down"
    recipient: dict                 # {level, code, replica}
    grids: set[str] | None          # down: the recipient's grids
    base: dict                      # origin -> the runs of its changes the recipient lacks
    held: dict                      # origin -> the runs this ledger covers (its acknowledgement)
    stamp: dt.datetime
    last_own: int
    sealing: tuple | None = None    # (this ledger's keys, the recipient's trusted key): a sealed bundle
    plans: dict | None = None       # sealed: origin -> security/heads.Plan (the runs it can prove)


def _manifest(ledger: Ledger, bundle: Outgoing, declared: dict, origins: dict, counts: dict, payload: dict) -> dict:
    """The manifest of an unsealed bundle (a sealed one adds `chain` and `security`); format.py says each key."""
    me = bundle.me
    have = {o: R.contiguous(r) for o, r in bundle.held.items()}  # what this ledger covers, its own log included
    have.setdefault(me.replica, 0)
    scope_grids = sorted(bundle.grids) if bundle.grids is not None else (
        [me.code] if me.level == "grid" else scope_codes(ledger, "grid"))
    return {
        "format": FORMAT, "version": VERSION if bundle.sealing is not None else UNSEALED_VERSION,
        "bundle_id": new_id(),
        "created": bundle.stamp.isoformat(timespec="milliseconds"), "created_hlc": HLC(ledger.meta("hlc")).last,
        "direction": bundle.direction, "sender": me.as_dict(), "recipient": bundle.recipient,
        "scope": {"grids": scope_grids}, "origins": origins,
        "ranges": {o: [list(p) for p in r] for o, r in sorted(declared.items())},
        "counts": {o: counts.get(o, 0) for o in sorted(declared)},
        "have": {o: n for o, n in sorted(have.items()) if n},
        "payload": payload,
        "security": {"signature": None, "encryption": None}, "last_own": bundle.last_own,
    }


def _write(out: Path, rows, ledger: Ledger, bundle: Outgoing, progress):
    """Write the bundle to `out` (through a .part file, renamed when whole); returns (manifest, payload bytes)."""
    conn = ledger.conn
    me, sealing, plans = bundle.me, bundle.sealing, bundle.plans
    part = out.with_name(out.name + ".part")
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    seqs: dict[str, array] = {}
    origins: dict[str, dict | None] = {}
    nbytes = lines = 0
    proven = {o: R.Lookup(p.runs) for o, p in plans.items()} if plans is not None else None

    def place_of(origin: str) -> dict | None:
        if origin not in origins:
            if origin == me.replica:
                origins[origin] = {"level": me.level, "code": me.code, "parent": me.parent}
            else:
                r = conn.execute("SELECT level, code, parent FROM replicas WHERE id = ?", (origin,)).fetchone()
                origins[origin] = {"level": r[0], "code": r[1], "parent": r[2]} if r else None
        return origins[origin]

    try:
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            if sealing is not None:
                entry = zf.open(zipfile.ZipInfo(SEALED, date_time=(1980, 1, 1, 0, 0, 0)), "w", force_zip64=True)
            else:
                entry = zf.open(PAYLOAD, "w", force_zip64=True)
            with entry as raw:
                fh = SealWriter(raw, bytes.fromhex(sealing[1]["box_pk"])) if sealing is not None else raw
                buf: list[bytes] = []
                size = 0
                for origin, seq, hlc, entity, entity_id, body, prev in rows:
                    if place_of(origin) is None:
                        continue  # never happens: every origin held was bound when it was merged
                    if proven is not None and (origin not in proven or seq not in proven[origin]):
                        continue  # not provable yet (after the origin's last head held here): next time
                    data = change_line(origin, seq, hlc, entity, entity_id, body, prev).encode("utf-8")
                    buf.append(data)
                    size += len(data)
                    counts[origin] = counts.get(origin, 0) + 1
                    arr = seqs.get(origin)
                    if arr is None:
                        arr = seqs[origin] = array("q")
                    arr.append(seq)
                    lines += 1
                    if size >= 1 << 20:
                        chunk = b"".join(buf)
                        digest.update(chunk)
                        fh.write(chunk)
                        nbytes += len(chunk)
                        buf, size = [], 0
                        if progress:
                            progress(lines, 0)
                chunk = b"".join(buf)
                digest.update(chunk)
                fh.write(chunk)
                nbytes += len(chunk)
                if sealing is not None:
                    fh.close()
            if plans is not None:
                declared = {o: p.runs for o, p in plans.items()}
            else:
                declared = {o: R.union(bundle.base.get(o, []), R.runs(sorted(seqs.get(o, ()))))
                            for o in set(bundle.base) | set(seqs)}
            declared = {o: r for o, r in declared.items() if place_of(o) is not None}
            payload = {"name": PAYLOAD, "sha256": digest.hexdigest(), "bytes": nbytes, "lines": lines}
            manifest = _manifest(ledger, bundle, declared, {o: origins[o] for o in declared}, counts, payload)
            if sealing is not None:
                manifest["chain"] = {o: proof(conn, o, plans[o], list(seqs.get(o, ()))) for o in sorted(declared)}
                manifest["security"] = security_block(sealing[0], sealing[1], fh)
                data = dumps(manifest).encode("utf-8")
                zf.writestr(MANIFEST, data)
                zf.writestr(SIGNATURE, sealing[0].sign(data).hex())
            else:
                zf.writestr(MANIFEST, dumps(manifest))
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return manifest, nbytes
