"""Merging a bundle: verify it whole, then apply it in one transaction.

1. The file's sha256 (or the signed bundle id) was seen before -> refused as a replay, nothing changes (checked
   again under the write lock: two processes merging the same bundle at once).
2. Envelope: zip, manifest format/version; a sealed bundle (format 3): for this ledger and its key, signed
   by the key enrolled here for the sender's place, encrypted part exactly as signed
   (security.envelope.authenticate); a ledger with keys refuses unsealed bundles. Then the sender's place
   and bindings (place.admit): up, a bundle carries only its sender's area (a grid itself; a township
   itself and its grids).
3. Intake (sync/intake.py): one streaming pass over the payload (never all in memory; decrypted on the
   fly): sha256 and byte count, each line's (origin, seq) against the manifest's ranges and counts, each
   origin's hash chain (where a run of lines meets changes this ledger holds, the link is checked against
   them: a rewritten history is refused), each line pushed into its origin's proof. Lines already held are
   skipped; far-future clocks are quarantined (and those quarantined earlier whose clock is sane by now are
   released first, sync/quarantine.py); the rest are appended to the change log as they are.
   Then `check_heads`: every origin's proof reaches its own signed head and the head verifies with that
   origin's key (enrolled here, or stated by a hub above or below, security/statements.py); no origin goes
   past its revocation's cut-off, unless staff admit this bundle (`grid trust admit`).
4. Check and stage (ledger/apply.py): the new bodies' shape, in SQL; then scope, checked by the receiver
   against its own records (sync/admission.py): a grid may touch only households that are (or were) in its grid, and may not
   move them; a township only its grids; from above, only this ledger's area. Config comes only from above.
5. Apply (ledger/apply.py): new entities set-wise from their changes (the fast path); anything that meets an
   existing row through `apply_change`, the same function local writes use.
6. Bookkeeping: have/cover ranges per origin (gaps), the sender's acknowledgements, replica bindings,
   the bundle's hash, the clock. COMMIT. A refusal or a crash at any point leaves the ledger as before.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from grid_cli.clock import format_hlc, show_time, wall_ms
from grid_cli.errors import DataError, GridError, Replayed, Revoked, UnknownOrigin, Untrusted, UsageError
from grid_cli.ledger import Ledger
from grid_cli.ledger.apply import TEMP_TABLES, advance_clock, apply_staged, stage
from grid_cli.ledger import ranges as R
from grid_cli.ledger.ranges import load_ranges, own_max, store_ranges
from grid_cli.place import Place, here, label
from grid_cli.security.envelope import authenticate
from grid_cli.security.heads import OriginProof
from grid_cli.security.statements import key_of, take_new
from grid_cli.sync.admission import Admission, admit, check_scope, remember
from grid_cli.sync.format import file_sha256, open_bundle
from grid_cli.sync.intake import take_in
from grid_cli.sync.quarantine import release_due

DEFAULT_MAX_SKEW_HOURS = 24.0
MIN_SKEW_HOURS, MAX_SKEW_HOURS = 1.0, 720.0
MERGE_WAIT_MS, BUSY_MS = 600_000, 5000  # a merge waits up to 10 minutes for another one to finish
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
    released: int = 0                 # changes held back earlier for their clock, applied now it is sane
    admitted: dict = field(default_factory=dict)   # origin -> new cut-off, when staff admitted this bundle

    def as_dict(self) -> dict:
        return asdict(self)


# -- the merge --------------------------------------------------------------------------------------
def _replayed(row) -> Replayed:
    at = show_time(row[0])  # stored in UTC; read in local time with its zone
    return Replayed(f"这个同步包已于 {at} 合并过（重复或重放），未作任何改动",
                    f"this bundle was already merged on {at} (a repeat or a replay); nothing was changed")


def merge_bundle(ledger: Ledger, path: Path, *, progress: Progress | None = None,
                 max_skew_hours: float = DEFAULT_MAX_SKEW_HOURS, now_ms: int | None = None,
                 dry_run: bool = False, admit_reason: str | None = None) -> MergeResult:
    """Merge one bundle file; raises a BundleRefused (the ledger unchanged) if it cannot be taken whole.
    With `dry_run` everything is checked and applied, then rolled back: the result says what it would do.
    `admit_reason` (grid trust admit): staff inspected this bundle and take it past a key's revocation."""
    path = Path(path)
    conn = ledger.conn
    max_skew_hours = check_skew(max_skew_hours)
    if not path.is_file():
        raise DataError(f"找不到同步包：{path}", f"no bundle at {path}")
    fsha = file_sha256(path)
    _refuse_replay(conn, fsha, None)
    me = here(ledger)
    with open_bundle(path) as bundle:
        m = bundle.manifest
        signer = authenticate(ledger, bundle)
        _refuse_replay(conn, None, m.get("bundle_id") if bundle.sealed else None)
        adm = admit(ledger, me, m)
        proofs = None
        if bundle.sealed:
            proofs = {o: OriginProof(o, info, label(*_claimed(m, adm, o))) for o, info in m["chain"].items()}
        cache = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute(f"PRAGMA cache_size = {MERGE_CACHE_KIB}")  # fewer spills of a big transaction
        conn.execute(f"PRAGMA busy_timeout = {MERGE_WAIT_MS}")  # another merge at this moment: wait for it
        try:
            with ledger.transaction(immediate=True, temp=TEMP_TABLES) as tx:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
                # checked again under the write lock: the same bundle merged at this moment by another process
                _refuse_replay(conn, fsha, m.get("bundle_id") if bundle.sealed else None)
                result = MergeResult(str(path), "merged", sender=adm.sender.as_dict(), sealed=bundle.sealed,
                                     signer=signer["fingerprint"] if signer else None)
                start = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
                before_conflicts = conn.execute("SELECT coalesce(max(id), 0) FROM conflicts").fetchone()[0]
                now = now_ms if now_ms is not None else wall_ms()
                limit = format_hlc(now + int(max_skew_hours * 3_600_000), 99999)
                result.released = release_due(ledger, me, limit)  # held back for a clock that is sane by now
                got = take_in(conn, me, bundle, load_ranges(conn, "have"), own_max(conn, me.replica), limit, progress,
                              proofs=proofs, sender=adm.sender.replica)
                result.changes, result.applied = got.lines, got.logged
                result.skipped, result.quarantined = got.skipped, got.quarantined
                if proofs is not None:
                    result.admitted = check_heads(conn, me, m, adm, proofs, start, fsha, admit_reason)
                stage(ledger, start)
                check_scope(conn, adm)
                result.by_entity = apply_staged(ledger)
                advance_clock(conn)
                result.conflicts = conn.execute("SELECT count(*) FROM conflicts WHERE id > ? AND status = 'open'",
                                                (before_conflicts,)).fetchone()[0]
                _bookkeeping(ledger, me, adm, m, got.seqs, result, fsha)
                if dry_run:
                    result.status = "would-merge"
                    tx.discard()
        finally:
            conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return result


def check_skew(hours) -> float:
    """Changes stamped more than this many hours ahead of this computer's clock are held back: 1 to 720."""
    try:
        value = float(hours)
    except (TypeError, ValueError):
        value = float("nan")
    if not MIN_SKEW_HOURS <= value <= MAX_SKEW_HOURS:  # also refuses nan and inf
        raise UsageError(f"--max-skew-hours 须在 {MIN_SKEW_HOURS:g} 到 {MAX_SKEW_HOURS:g} 之间：{hours}",
                         f"--max-skew-hours must be between {MIN_SKEW_HOURS:g} and {MAX_SKEW_HOURS:g}: {hours}")
    return value


def _refuse_replay(conn, fsha: str | None, bundle_id: str | None) -> None:
    row = None
    if fsha is not None:
        row = conn.execute("SELECT merged_at FROM bundles WHERE file_sha256 = ?", (fsha,)).fetchone()
    if row is None and bundle_id is not None:
        row = conn.execute("SELECT merged_at FROM bundles WHERE bundle_id = ?", (bundle_id,)).fetchone()
    if row is not None:
        raise _replayed(row)


def _claimed(m: dict, adm: Admission, origin: str) -> tuple[str, str]:
    info = adm.origins.get(origin) or m["origins"].get(origin) or {}
    return info.get("level", "?"), info.get("code", origin[-8:])


def check_heads(conn, me: Place, m: dict, adm: Admission, proofs: dict, start: int, fsha: str,
                admit_reason: str | None) -> dict[str, int]:
    """After the payload is read: every origin's spans reached its signed head; each head verifies with that
    origin's key, known here directly or through a statement in force (statements this bundle brings from an
    origin already verified count at once); no origin goes past its revocation's cut-off (unless staff admit
    this bundle). Then the proofs are kept, to be relayed. Returns {origin: new cut-off} of an admission."""
    for origin, proof in proofs.items():
        proof.finish()
        proof.check_ranges(m["ranges"].get(origin, []))
    pending = set(proofs)
    while pending:
        done = set()
        for origin in sorted(pending):
            key = key_of(conn, me, origin)
            if key is None:
                continue
            level, code = _claimed(m, adm, origin)
            if (key["level"], key["code"]) != (level, code):
                kzh, ken = label(key["level"], key["code"])
                zh, en = label(level, code)
                raise UnknownOrigin(f"副本 {origin[-8:]} 自称{zh}，但它的密钥属于{kzh}",
                                    f"replica {origin[-8:]} claims to be {en} but its key is {ken}'s")
            proofs[origin].verify(key["sign_pk"])
            done.add(origin)
        if not done:
            origin = sorted(pending)[0]
            zh, en = label(*_claimed(m, adm, origin))
            raise Untrusted(f"无法核验{zh}（副本 {origin[-8:]}）的变更：本账本不知道它的密钥",
                            f"the changes of {en} (replica {origin[-8:]}) cannot be checked: its key is not known here",
                            hint_zh="先合并带来其登记信息的同步包，或请发送方重新导出",
                            hint_en="merge the bundle that brings its enrolment first, or ask the sender to export again")
        pending -= done
        take_new(conn, me, done, start)  # what these origins state about keys counts for the rest at once
    admitted = {}
    for origin, proof in proofs.items():
        key = key_of(conn, me, origin)
        top = max((hi for _lo, hi in m["ranges"].get(origin, [])), default=0)
        cut = key["revoked_upto"]
        if cut is None or top <= cut:
            continue
        zh, en = label(*_claimed(m, adm, origin))
        if admit_reason is None:
            raise Revoked(f"{zh}的密钥已作废，只接收到第 {cut} 条为止的变更；这个同步包含到第 {top} 条",
                          f"{en}'s key was revoked: changes are taken only up to its change {cut}; this bundle goes to {top}",
                          hint_zh="丢失的电脑不能再发同步包；确认无误的同步包可用 grid trust admit 同步包 --reason 理由 接收",
                          hint_en="a lost laptop's bundles are refused; after inspecting one, take it with "
                                  "`grid trust admit BUNDLE --reason TEXT`")
        conn.execute("UPDATE trusted_keys SET revoked_upto = ? WHERE replica = ?", (top, origin))
        conn.execute("INSERT OR REPLACE INTO admissions VALUES (?, ?, ?, ?, datetime('now'))", (fsha, origin, top, admit_reason))
        conn.execute("INSERT INTO audit (at, action, detail) VALUES (datetime('now'), 'trust-admit', ?)",
                     (f"{key['level']} {key['code']} {origin[-8:]}: {cut} -> {top}",))
        admitted[origin] = top
    for origin, proof in proofs.items():
        if origin != me.replica:
            proof.keep(conn)
    return admitted


def bundle_paths(args: Iterable[str | Path]) -> list[Path]:
    """The bundle files named on a command line: files, folders (their *.zip) and patterns (`U盘/*.zip`,
    expanded here: a Windows shell leaves them as typed), in order, each once. A name that matches nothing
    is a data error before anything is merged."""
    import glob

    out: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".zip" and p.is_file())
            if not found:
                raise DataError(f"文件夹 {path} 里没有同步包（.zip）", f"no bundle (.zip) in the folder {path}")
        elif path.exists() or not glob.has_magic(str(arg)):
            found = [path]
        else:
            found = sorted(Path(p) for p in glob.glob(str(arg)) if Path(p).is_file())
            if not found:
                raise DataError(f"没有与 {arg} 相符的同步包", f"no bundle matches {arg}",
                                hint_zh="检查路径和文件名", hint_en="check the folder and the file names")
        for p in found:
            if not p.is_file():
                raise DataError(f"找不到同步包：{p}", f"no bundle at {p}")
            if p not in out:
                out.append(p)
    return out


def after_merge(ledger: Ledger) -> GridError | None:
    """Nothing to recompute here: the merge forgot the stored findings of exactly the households it touched
    (schema triggers, in its own transaction), and whoever next reads findings (`grid risk`, the ledger,
    the report) re-assesses those and only those (findings.current). Kept as the hook called after changes
    came in (a merge, an admitted bundle, released changes)."""
    return None


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
