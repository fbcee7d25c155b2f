"""Merging a bundle: verify it whole, then apply it in one transaction.

1. The file's sha256 (or the signed bundle id) was seen before -> refused as a replay, nothing changes.
2. Envelope: zip, manifest format/version; a sealed bundle (format 2): for this ledger and its key, signed
   by the trusted, unrevoked key of the sender's place, encrypted part exactly as signed
   (security.envelope.authenticate); a ledger with keys refuses unsealed bundles. Then the sender's place
   and bindings (place.admit).
3. Intake (sync/intake.py): one streaming pass over the payload (never all in memory; decrypted on the
   fly): sha256 and byte count, each line's (origin, seq) against the manifest's ranges and counts, each
   origin's hash chain (where a run of lines meets changes this ledger holds, the link is checked against
   them: a rewritten history is refused). Lines already held are skipped; far-future clocks are
   quarantined; the rest are appended to the change log as they are.
4. Check and stage (sync/apply.py): the new bodies' shape, in SQL; then scope, checked by the receiver
   against its own records: a grid may touch only households that are (or were) in its grid, and may not
   move them; a township only its grids; from above, only this ledger's area. Config comes only from above.
5. Apply (sync/apply.py): new entities set-wise from their changes (the fast path); anything that meets an
   existing row through `apply_change`, the same function local writes use.
6. Bookkeeping: have/cover ranges per origin (gaps), the sender's acknowledgements, replica bindings,
   the bundle's hash, the clock. COMMIT. A refusal or a crash at any point leaves the ledger as before.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from grid_cli.clock import format_hlc, parse_hlc, wall_ms
from grid_cli.errors import DataError, GridError
from grid_cli.ledger import Ledger
from grid_cli.ledger.store import canonical
from grid_cli.sync import apply as A
from grid_cli.sync import ranges as R
from grid_cli.sync.ranges import load_ranges, own_max, store_ranges
from grid_cli.sync.format import BundleRefused, OutOfScope, Replayed, file_sha256, open_bundle
from grid_cli.sync.intake import take_in
from grid_cli.sync.place import Admission, Place, admit, here, remember

DEFAULT_MAX_SKEW_HOURS = 24.0
MERGE_CACHE_KIB = -16384  # 16 MiB of page cache while merging (more bought no speed in bench/merge.py)
Progress = Callable[[int, int], None]


@dataclass
class MergeResult:
    path: str
    status: str                       # merged | would-merge (dry run)
    sender: dict = field(default_factory=dict)
    changes: int = 0                  # lines in the payload
    applied: int = 0                  # new changes logged and applied
    skipped: int = 0                  # already held
    quarantined: int = 0
    conflicts: int = 0                # new conflicts noted
    gaps: dict = field(default_factory=dict)
    sealed: bool = False              # signed and encrypted (format 2)
    signer: str | None = None         # fingerprint of the trusted key that signed it
    by_entity: dict = field(default_factory=dict)  # new changes per entity (visits etc. by kind)

    def as_dict(self) -> dict:
        return asdict(self)


# -- the merge --------------------------------------------------------------------------------------
def _replayed(row) -> Replayed:
    return Replayed(f"这个同步包已于 {row[0]} 合并过（重复或重放），未作任何改动",
                    f"this bundle was already merged on {row[0]} (a repeat or a replay); nothing was changed")


def merge_bundle(ledger: Ledger, path: Path, *, progress: Progress | None = None,
                 max_skew_hours: float = DEFAULT_MAX_SKEW_HOURS, now_ms: int | None = None,
                 dry_run: bool = False) -> MergeResult:
    """Merge one bundle file; raises a BundleRefused (the ledger unchanged) if it cannot be taken whole.
    With `dry_run` everything is checked and applied, then rolled back: the result says what it would do."""
    path = Path(path)
    conn = ledger.conn
    if not path.is_file():
        raise DataError(f"找不到同步包：{path}", f"no bundle at {path}")
    fsha = file_sha256(path)
    seen = conn.execute("SELECT merged_at FROM bundles WHERE file_sha256 = ?", (fsha,)).fetchone()
    if seen:
        raise _replayed(seen)
    me = here(ledger)
    with open_bundle(path) as bundle:
        m = bundle.manifest
        from grid_cli.security.envelope import authenticate

        signer = authenticate(ledger, bundle)
        if bundle.sealed:
            seen = conn.execute("SELECT merged_at FROM bundles WHERE bundle_id = ?", (m.get("bundle_id"),)).fetchone()
            if seen:
                raise _replayed(seen)
        adm = admit(ledger, me, m)
        cache = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute(f"PRAGMA cache_size = {MERGE_CACHE_KIB}")  # fewer spills of a big transaction
        A.drop(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = MergeResult(str(path), "merged", sender=adm.sender.as_dict(), sealed=bundle.sealed,
                                 signer=signer["fingerprint"] if signer else None)
            start = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
            before_conflicts = conn.execute("SELECT coalesce(max(id), 0) FROM conflicts").fetchone()[0]
            now = now_ms if now_ms is not None else wall_ms()
            got = take_in(conn, me, bundle, load_ranges(conn, "have"), own_max(conn, me.replica),
                          format_hlc(now + int(max_skew_hours * 3_600_000), 99999), progress)
            result.changes, result.applied = got.lines, got.logged
            result.skipped, result.quarantined = got.skipped, got.quarantined
            A.stage(ledger, start)
            _check_scope(conn, adm)
            result.by_entity = A.apply(ledger)
            _advance_clock(conn)
            result.conflicts = conn.execute("SELECT count(*) FROM conflicts WHERE id > ?",
                                            (before_conflicts,)).fetchone()[0]
            _bookkeeping(ledger, me, adm, m, got.seqs, result, fsha)
            if dry_run:
                result.status = "would-merge"
                conn.execute("ROLLBACK")
            else:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            A.drop(conn)
            conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return result


def merge_bundles(ledger: Ledger, paths: Iterable[Path], *, progress: Progress | None = None,
                  on_refused: Callable[[Path, BundleRefused], None] | None = None,
                  max_skew_hours: float = DEFAULT_MAX_SKEW_HOURS, refresh: bool = True) -> list[MergeResult]:
    """Merge several bundles, each in its own transaction, in the order given (any order converges).
    A refused bundle is reported through on_refused (or raised if none) and the others still merge.
    With `refresh`, the rule findings are recomputed afterwards (a failure there does not undo the merge)."""
    results = []
    for path in paths:
        try:
            results.append(merge_bundle(ledger, path, progress=progress, max_skew_hours=max_skew_hours))
        except BundleRefused as error:
            if on_refused is None:
                raise
            on_refused(Path(path), error)
    if refresh and any(r.applied for r in results):
        after_merge(ledger)
    return results


def after_merge(ledger: Ledger) -> GridError | None:
    """Nothing to recompute here: the merge forgot the stored findings of exactly the households it touched
    (schema triggers, in its own transaction), and whoever next reads findings (`grid risk`, the ledger,
    the report) re-assesses those and only those (findings.current). Kept as the hook a merge calls."""
    return None


# -- 4. scope ---------------------------------------------------------------------------------------
def _check_scope(conn, adm: Admission) -> None:
    conn.execute("CREATE TEMP TABLE allowed (grid TEXT PRIMARY KEY)")
    conn.executemany("INSERT INTO allowed VALUES (?)", [(g,) for g in sorted(adm.allowed_grids)])
    if adm.direction == "up":
        row = conn.execute("SELECT id FROM stage WHERE entity = 'config' LIMIT 1").fetchone()
        if row:
            raise OutOfScope("下级的同步包不能修改年度规则", "a bundle from below may not change the year's rules")
        row = conn.execute("SELECT id, grid FROM stage WHERE entity = 'household' AND sg = 1"
                           " AND (grid IS NULL OR grid NOT IN (SELECT grid FROM allowed)) LIMIT 1").fetchone()
        if row:
            raise OutOfScope(f"同步包把户 {row[0][-8:]} 移到了范围外的网格 {row[1]}（户的迁移须由乡镇决定）",
                             f"the bundle moves household {row[0][-8:]} to grid {row[1]}, outside its area "
                             "(moving a household is a township decision)")
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


def _advance_clock(conn) -> None:
    """This ledger's clock moves past the newest change it now holds."""
    top = conn.execute("SELECT max(hlc) FROM stage").fetchone()[0]
    if top:
        row = conn.execute("SELECT value FROM meta WHERE key = 'hlc'").fetchone()
        held = json.loads(row[0]) if row else None
        if held is None or parse_hlc(top) > parse_hlc(held):
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('hlc', ?)", (canonical(top),))


# -- 6. bookkeeping ---------------------------------------------------------------------------------
def _bookkeeping(ledger: Ledger, me: Place, adm: Admission, m: dict, got: dict[str, list[tuple[int, int]]],
                 result: MergeResult, fsha: str) -> None:
    conn = ledger.conn
    for origin in set(got) | set(m["ranges"]):
        if origin == me.replica:
            continue
        have = R.union(load_ranges(conn, "have", origin).get(origin, []), got.get(origin, []))
        cover = R.union(load_ranges(conn, "cover", origin).get(origin, []), have,
                        [tuple(p) for p in m["ranges"].get(origin, [])])
        store_ranges(conn, "have", origin, have)
        store_ranges(conn, "cover", origin, cover)
        holes = R.gaps(cover)
        if holes:
            result.gaps[origin] = [list(h) for h in holes]
    conn.executemany(
        "INSERT INTO acks (peer, origin, upto) VALUES (?, ?, ?)"
        " ON CONFLICT (peer, origin) DO UPDATE SET upto = max(upto, excluded.upto)",
        [(adm.sender.replica, o, int(n)) for o, n in m["have"].items() if o != adm.sender.replica])
    remember(ledger, adm, me)
    conn.execute("INSERT INTO bundles VALUES (?, ?, ?, ?, ?, ?, datetime('now'), ?, ?, ?, ?)",
                 (fsha, m["payload"]["sha256"], m.get("bundle_id"), adm.sender.replica, adm.direction,
                  m.get("created"), result.changes, result.applied, result.skipped, result.quarantined))
