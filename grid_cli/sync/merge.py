"""Merging a bundle: verify it whole, then apply it in one transaction.

1. The file's sha256 (or the signed bundle id) was seen before -> refused as a replay, nothing changes.
2. Envelope: zip, manifest format/version; a sealed bundle (format 2): for this ledger and its key, signed
   by the trusted, unrevoked key of the sender's place, encrypted part exactly as signed
   (security.envelope.authenticate); a ledger with keys refuses unsealed bundles. Then the sender's place
   and bindings (place.admit).
3. One streaming pass over the payload (never all in memory; decrypted on the fly): sha256 and byte
   count, each line's (origin, seq) against the manifest's declared ranges and counts, and each origin's
   hash chain (every line's `prev` is the hash of the line before; where a run of lines meets changes this
   ledger holds, the link is checked against them: a rewritten history is refused). Lines already held
   (by the `have` ranges) are skipped unparsed; the rest are parsed and staged in temp tables.
4. Scope, checked by the receiver against its own records: a grid may touch only households that are
   (or were) in its grid, and may not move them; a township only its grids; from above, only this
   ledger's area. Config comes only from above.
5. Apply: far-future clocks -> quarantine; then the change log gets the new rows (one INSERT ... SELECT)
   and new entities are inserted set-wise (the fast path); anything that meets an existing row goes
   through `apply_change`, the same function local writes use.
6. Bookkeeping: have/cover ranges per origin (gaps), the sender's acknowledgements, replica bindings,
   the bundle's hash, the clock. COMMIT. A refusal or a crash at any point leaves the ledger as before.
"""

from __future__ import annotations

import hashlib
import json
import zlib
import zipfile
from array import array
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from grid_cli.clock import format_hlc, parse_hlc, wall_ms
from grid_cli.errors import DataError, GridError
from grid_cli.ledger import Ledger
from grid_cli.ledger.store import GENESIS, JSON_FIELDS, apply_change, canonical, row_hash
from grid_cli.sync import ranges as R
from grid_cli.sync.format import (ENTITIES, HLC_RE, BadFormat, BundleRefused, Damaged, OutOfScope, Replayed,
                                  Rewritten, UnknownOrigin, ZIP_ERRORS, dumps, file_sha256, open_bundle)
from grid_cli.sync.place import Admission, Place, admit, here, label, remember

DEFAULT_MAX_SKEW_HOURS = 24.0
BATCH = 4000
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


def _damaged(zh: str, en: str) -> Damaged:
    return Damaged(f"同步包已损坏或被改动：{zh}", f"the bundle is damaged or altered: {en}",
                   hint_zh="请对方重新发送该文件", hint_en="ask the sender to send the file again")


# -- ranges kept in the ledger ----------------------------------------------------------------------
def load_ranges(conn, kind: str, origin: str | None = None) -> dict[str, list[tuple[int, int]]]:
    sql, params = "SELECT origin, lo, hi FROM seq_ranges WHERE kind = ?", [kind]
    if origin is not None:
        sql += " AND origin = ?"
        params.append(origin)
    out: dict[str, list[tuple[int, int]]] = {}
    for o, lo, hi in conn.execute(sql + " ORDER BY origin, lo", params):
        out.setdefault(o, []).append((lo, hi))
    return out


def store_ranges(conn, kind: str, origin: str, runs: list[tuple[int, int]]) -> None:
    conn.execute("DELETE FROM seq_ranges WHERE origin = ? AND kind = ?", (origin, kind))
    conn.executemany("INSERT INTO seq_ranges VALUES (?, ?, ?, ?)", [(origin, kind, lo, hi) for lo, hi in runs])


def own_max(conn, replica: str) -> int:
    return conn.execute("SELECT max(origin_seq) FROM changes WHERE origin = ?", (replica,)).fetchone()[0] or 0


# -- temp tables ------------------------------------------------------------------------------------
def _defaults(ledger: Ledger, table: str) -> dict[str, Any]:
    out = {}
    for row in ledger.conn.execute(f"PRAGMA table_info({table})"):
        text = row[4]
        if text is None or text.upper() == "NULL":
            out[row[1]] = None
        elif text.startswith("'") and text.endswith("'"):
            out[row[1]] = text[1:-1].replace("''", "'")
        else:
            try:
                out[row[1]] = json.loads(text)
            except ValueError:
                out[row[1]] = None
    return out


def _temp_tables(conn, hcols: list[str], mcols: list[str]) -> None:
    _drop_temp(conn)
    conn.execute("CREATE TEMP TABLE stage (n INTEGER PRIMARY KEY, origin TEXT, seq INTEGER, hlc TEXT, entity TEXT,"
                 " id TEXT, body TEXT, hh TEXT, grid TEXT, sg INTEGER, kind TEXT, date TEXT, data TEXT, fast INTEGER,"
                 " prev TEXT)")
    conn.execute(f"CREATE TEMP TABLE stage_households (n INTEGER PRIMARY KEY, id TEXT, {', '.join(hcols)}, _v TEXT)")
    conn.execute(f"CREATE TEMP TABLE stage_members (n INTEGER PRIMARY KEY, id TEXT, {', '.join(mcols)}, _v TEXT)")
    conn.execute("CREATE TEMP TABLE allowed (grid TEXT PRIMARY KEY)")


def _drop_temp(conn) -> None:
    for name in ("stage", "stage_households", "stage_members", "allowed", "multi"):
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")


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
        hcols, mcols = ledger.columns("household"), ledger.columns("member")
        cache = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute(f"PRAGMA cache_size = {MERGE_CACHE_KIB}")  # fewer spills of a big transaction
        _temp_tables(conn, hcols, mcols)
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = MergeResult(str(path), "merged", sender=adm.sender.as_dict(), sealed=bundle.sealed,
                                 signer=signer["fingerprint"] if signer else None)
            seqs = _stage(ledger, me, bundle, hcols, mcols, result, progress)
            _check_scope(conn, adm)
            _apply(ledger, result, now_ms if now_ms is not None else wall_ms(), max_skew_hours)
            _bookkeeping(ledger, me, adm, m, seqs, result, fsha)
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
            _drop_temp(conn)
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
    """Recompute rule findings so a hub sees current findings for every grid. The merge is already
    committed: a problem here is returned, not raised (a hub with no threshold yet is skipped by refresh)."""
    from grid_cli import findings

    try:
        findings.refresh(ledger)
    except GridError as error:
        return error
    return None


# -- 3. streaming pass ------------------------------------------------------------------------------
def _stage(ledger: Ledger, me: Place, bundle, hcols, mcols, result: MergeResult,
           progress: Progress | None) -> dict[str, list[tuple[int, int]]]:
    conn, m = ledger.conn, bundle.manifest
    declared = {o: R.Lookup(sorted(tuple(p) for p in r)) for o, r in m["ranges"].items()}
    have = {o: R.Lookup(r) for o, r in load_ranges(conn, "have").items()}
    mine = own_max(conn, me.replica)
    hset, mset = set(hcols), set(mcols)
    hdef, mdef = _defaults(ledger, "households"), _defaults(ledger, "members")
    payload = m["payload"]
    total = int(payload["bytes"])
    digest = hashlib.sha256()
    counts: Counter = Counter()
    seqs: dict[str, array] = {}
    rows: list[tuple] = []
    hrows: list[tuple] = []
    mrows: list[tuple] = []
    state = {"n": 0, "bytes": 0, "lines": 0, "skipped": 0}
    pending: BundleRefused | None = None

    def flush() -> None:
        if rows:
            conn.executemany("INSERT INTO stage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            rows.clear()
        if hrows:
            conn.executemany(f"INSERT INTO stage_households VALUES ({', '.join('?' * (len(hcols) + 3))})", hrows)
            hrows.clear()
        if mrows:
            conn.executemany(f"INSERT INTO stage_members VALUES ({', '.join('?' * (len(mcols) + 3))})", mrows)
            mrows.clear()

    scalar = {str, int, float, bool, type(None)}
    hjson = [i for i, c in enumerate(hcols) if c in JSON_FIELDS]
    mjson = [i for i, c in enumerate(mcols) if c in JSON_FIELDS]

    def put_row(n: int, ch: dict, f: dict, cols: list[str], colset: set, defaults: dict, jsonix) -> tuple | None:
        if not colset.issuperset(f):
            unknown = sorted(set(f) - colset)
            raise BadFormat(f"同步包含有本版本不认识的字段：{unknown}", f"the bundle has fields this version does not know: {unknown}",
                            hint_zh="请升级 grid", hint_en="upgrade grid")
        bases = ch["body"].get("b")
        if bases and any(v is not None for v in bases.values()):
            return None  # an edit that saw an earlier value: goes through apply_change
        values = [f[c] if c in f else defaults[c] for c in cols]
        for i in jsonix:
            v = values[i]
            if cols[i] in f and v is not None:
                if type(v) is not list or not all(type(x) is str for x in v):
                    raise _damaged("字段值不对", f"bad value for {cols[i]}")
                values[i] = canonical(sorted(v))
        for v in f.values():
            if type(v) not in scalar and type(v) is not list:
                raise _damaged("字段值不对", "a field value is not a plain value")
        version = f"{ch['hlc']} {ch['origin']}"
        vjson = "{" + ",".join(f'"{k}":"{version}"' for k in sorted(f)) + "}"
        return (n, ch["id"], *values, vjson)

    from grid_cli.fastjson import loads
    hlc_ok = HLC_RE.fullmatch

    sha = hashlib.sha256
    runs: dict[str, list] = {}   # origin -> [first seq, last seq, last hash, last had prev, last held (seq, hash)]
    links: list[tuple] = []      # checks against this ledger's own log, done after the pass

    def end_run(origin: str, run: list) -> None:
        links.append(("start", origin, run[0], run[5]))      # the run's first line follows on from seq-1 here
        links.append(("end", origin, run[1], run[2]))        # seq+1 held here follows on from the run
        if run[4] is not None:
            links.append(("held", origin, *run[4]))          # the last held line is the one held here

    def chain(origin: str, seq: int, prev: str | None, line: bytes, held: bool) -> None:
        h = sha(line).hexdigest()
        run = runs.get(origin)
        if run is not None and run[1] == seq - 1:
            if (prev != run[2]) if prev is not None else run[3]:
                raise _rewritten(m, origin, seq)
            run[1], run[2], run[3] = seq, h, prev is not None
        else:
            if run is not None:
                end_run(origin, run)
            if seq == 1 and prev not in (None, GENESIS):
                raise _rewritten(m, origin, seq)
            run = runs[origin] = [seq, seq, h, prev is not None, None, prev]
        if held:
            run[4] = (seq, h)

    def line_in(line: bytes) -> None:
        state["lines"] += 1
        i = line.rfind(b',"origin":"')
        k = line.find(b'"', i + 11) if i >= 0 else -1
        if k < 0 or not line.endswith(b"}"):
            raise _damaged("有一行变更无法读取", "a change line cannot be read")
        prev = None
        try:
            origin = line[i + 11:k].decode("ascii")
            if line.startswith(b'","prev":"', k):
                prev = line[k + 10:k + 74].decode("ascii")
                if len(prev) != 64 or not line.startswith(b'","seq":', k + 74) or prev.strip("0123456789abcdef"):
                    raise ValueError
                seq = int(line[k + 82:-1])
            elif line.startswith(b'","seq":', k):
                seq = int(line[k + 8:-1])
            else:
                raise ValueError
        except (UnicodeDecodeError, ValueError):
            raise _damaged("有一行变更无法读取", "a change line cannot be read") from None
        lookup = declared.get(origin)
        if lookup is None:
            raise UnknownOrigin(f"同步包含有清单未声明的来源 {origin[-8:]} 的变更",
                                f"the bundle holds changes from an origin its manifest does not declare ({origin[-8:]})")
        if seq not in lookup:
            raise _damaged("变更序号不在清单声明的范围内", "a change seq lies outside the manifest's ranges")
        counts[origin] += 1
        arr = seqs.get(origin)
        if arr is None:
            arr = seqs[origin] = array("q")
        arr.append(seq)
        held = have.get(origin)
        chain(origin, seq, prev, line, origin == me.replica or (held is not None and seq in held))
        if origin == me.replica:
            if seq > mine:
                raise BundleRefused("同步包含有本账本自己尚未有的变更——本账本是否从旧备份恢复过？",
                                    "the bundle holds changes of this ledger newer than the ledger itself; "
                                    "was it restored from an old backup?",
                                    hint_zh="请勿继续使用该账本，联系乡镇", hint_en="stop using this ledger and contact the township")
            state["skipped"] += 1
            return
        if held is not None and seq in held:
            state["skipped"] += 1
            return
        try:
            text = line.decode("utf-8")
            ch = loads(text)
            body, entity, hlc, eid = ch["body"], ch["entity"], ch["hlc"], ch["id"]
            if (len(ch) != (6 if prev is None else 7) or ch["origin"] != origin or ch["seq"] != seq
                    or ch.get("prev") != prev or ENTITIES[entity] != body["op"]
                    or type(hlc) is not str or not hlc_ok(hlc) or type(eid) is not str):
                raise ValueError
            cut = text.rfind(',"entity":')  # the body is everything before
            body_text = text[8:cut] if text.startswith('{"body":') and cut > 0 else dumps(body)
            state["n"] += 1
            n = state["n"]
            hh = grid = kind = date = data = None
            sg, fast = 0, 0
            if entity == "event":
                hh, kind, date = body["household"], body["kind"], body.get("date")
                if type(kind) is not str or (hh is not None and type(hh) is not str) \
                        or (date is not None and type(date) is not str):
                    raise ValueError
                dcut = body_text.rfind(',"date":')
                data = body_text[8:dcut] if body_text.startswith('{"data":') and dcut > 0 else dumps(body["data"])
                fast = 1
            elif entity == "household":
                f = body["f"]
                hh = eid
                if "grid" in f:
                    sg, grid = 1, f["grid"]
                row = put_row(n, ch, f, hcols, hset, hdef, hjson)
                if row is not None:
                    hrows.append(row)
                    fast = 1
            elif entity == "member":
                f = body["f"]
                hh = f.get("household_id") or body.get("h")
                if hh is not None and type(hh) is not str:
                    raise ValueError
                row = put_row(n, ch, f, mcols, mset, mdef, mjson)
                if row is not None:
                    mrows.append(row)
                    fast = 1
            else:  # config
                int(eid)
                if type(body["f"]) is not dict:
                    raise ValueError
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            raise _damaged("有一行变更无法读取", "a change line cannot be read") from None
        rows.append((n, origin, seq, hlc, entity, eid, body_text, hh, grid, sg, kind, date, data, fast, prev))
        if len(rows) >= BATCH:
            flush()

    try:
        with bundle.payload() as raw:
            rest = b""
            while True:
                chunk = raw.read(1 << 20)
                if not chunk:
                    break
                digest.update(chunk)
                state["bytes"] += len(chunk)
                if pending is None:
                    lines = (rest + chunk).split(b"\n")
                    rest = lines.pop()
                    try:
                        for line in lines:
                            line_in(line)
                    except BundleRefused as error:
                        pending = error  # read on: a damaged file says so before anything else
                if progress:
                    progress(min(state["bytes"], total), total)
    except ZIP_ERRORS:
        raise _damaged("内容读取失败（校验不符或被截断）", "the content cannot be read (checksum mismatch or cut short)") from None
    if state["bytes"] != payload["bytes"] or digest.hexdigest() != payload["sha256"]:
        raise _damaged("内容的 sha256 与清单不符", "the payload's sha256 does not match the manifest")
    if pending is not None:
        raise pending
    if rest:
        raise _damaged("最后一行不完整", "the last line is incomplete")
    for origin, run in runs.items():
        end_run(origin, run)
    _check_links(conn, m, links)
    if state["lines"] != payload["lines"] or any(counts.get(o, 0) != n for o, n in m["counts"].items()) \
            or set(counts) - set(m["counts"]):
        raise _damaged("变更条数与清单不符", "the number of changes does not match the manifest")
    got = {}
    for origin, arr in seqs.items():
        try:
            got[origin] = R.runs(sorted(arr))
        except ValueError:
            raise _damaged("同一变更出现了两次", "a change appears twice") from None
    flush()
    result.changes, result.skipped = state["lines"], state["skipped"]
    conn.execute("CREATE INDEX temp.stage_id ON stage(id)")
    return got


def _rewritten(m: dict, origin: str, seq: int) -> Rewritten:
    info = m["origins"].get(origin) or {}
    zh, en = label(info.get("level", "?"), info.get("code", origin[-8:]))
    return Rewritten(f"{zh}的变更记录被改写过：第 {seq} 条接不上前一条（哈希链断开）",
                     f"the history of {en} was rewritten: change {seq} does not follow on from the one before (hash chain broken)",
                     hint_zh="不要合并；联系乡镇核查该网格的账本", hint_en="do not merge it; have that ledger checked")


def _held_row(conn, origin: str, seq: int):
    row = conn.execute("SELECT origin, origin_seq, hlc, entity, entity_id, body, prev FROM changes"
                       " WHERE origin = ? AND origin_seq = ?", (origin, seq)).fetchone()
    return tuple(row) if row else None


def _check_links(conn, m: dict, links: list[tuple]) -> None:
    """Where the bundle's runs meet the changes held here, the chain must hold across: the run's first line
    follows on from the held seq-1, the held seq+1 follows on from the run's last line, and the last line
    of a run that this ledger already holds hashes the same (by the chain, so do all before it)."""
    for kind, origin, seq, value in links:
        if kind == "start":
            if seq <= 1 or value is None:
                continue
            row = _held_row(conn, origin, seq - 1)
            if row is not None and value != row_hash(row):
                raise _rewritten(m, origin, seq)
        elif kind == "end":
            row = _held_row(conn, origin, seq + 1)
            if row is not None and row[6] is not None and row[6] != value:
                raise _rewritten(m, origin, seq + 1)
        else:
            row = _held_row(conn, origin, seq)
            if row is not None and row_hash(row) != value:
                raise _rewritten(m, origin, seq)


# -- 4. scope ---------------------------------------------------------------------------------------
def _check_scope(conn, adm: Admission) -> None:
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


# -- 5. apply ---------------------------------------------------------------------------------------
def _apply(ledger: Ledger, result: MergeResult, now_ms: int, max_skew_hours: float) -> None:
    conn = ledger.conn
    before_conflicts = conn.execute("SELECT coalesce(max(id), 0) FROM conflicts").fetchone()[0]
    limit = format_hlc(now_ms + int(max_skew_hours * 3_600_000), 99999)
    line_sql = ("'{\"body\":' || body || ',\"entity\":' || json_quote(entity) || ',\"hlc\":' || json_quote(hlc)"
                " || ',\"id\":' || json_quote(id) || ',\"origin\":' || json_quote(origin)"
                " || CASE WHEN prev IS NULL THEN '' ELSE ',\"prev\":' || json_quote(prev) END || ',\"seq\":' || seq || '}'")
    result.quarantined = conn.execute(
        f"INSERT INTO quarantine (origin, origin_seq, reason, body, noted_at) SELECT origin, seq,"
        f" 'clock far in the future', {line_sql}, datetime('now') FROM stage WHERE hlc > ?", (limit,)).rowcount
    if result.quarantined:
        conn.execute("DELETE FROM stage WHERE hlc > ?", (limit,))
    # (origin, seq) already in the log (not caught by the have ranges): same content is a no-op,
    # different content is quarantined.
    dups = conn.execute("SELECT s.n, s.origin, s.seq, s.body = c.body FROM stage s JOIN changes c"
                        " ON c.origin = s.origin AND c.origin_seq = s.seq").fetchall()
    if dups:
        for n, origin, seq, same in dups:
            if not same:
                conn.execute(f"INSERT INTO quarantine (origin, origin_seq, reason, body, noted_at) SELECT origin, seq,"
                             f" 'same origin and seq with different content', {line_sql}, datetime('now')"
                             " FROM stage WHERE n = ?", (n,))
                result.quarantined += 1
        conn.executemany("DELETE FROM stage WHERE n = ?", [(d[0],) for d in dups])
        result.skipped += sum(1 for d in dups if d[3])
    conn.execute("INSERT INTO changes (origin, origin_seq, hlc, entity, entity_id, body, prev)"
                 " SELECT origin, seq, hlc, entity, id, body, prev FROM stage ORDER BY n")
    result.applied = conn.execute("SELECT count(*) FROM stage").fetchone()[0]
    for entity, kind, n in conn.execute("SELECT entity, kind, count(*) FROM stage GROUP BY entity, kind"):
        result.by_entity[f"{entity}:{kind}" if kind else entity] = n
    # fast path: entities this ledger does not hold yet, met by exactly one change of this bundle
    conn.execute("CREATE TEMP TABLE multi AS SELECT id FROM stage GROUP BY id HAVING count(*) > 1")
    conn.execute("""
        UPDATE stage SET fast = 0 WHERE fast = 1 AND (
            id IN (SELECT id FROM multi)
            OR (entity = 'event' AND EXISTS (SELECT 1 FROM events e WHERE e.id = stage.id))
            OR (entity = 'household' AND EXISTS (SELECT 1 FROM households x WHERE x.id = stage.id))
            OR (entity = 'member' AND EXISTS (SELECT 1 FROM members x WHERE x.id = stage.id)))""")
    conn.execute("INSERT INTO events (id, household_id, kind, date, data, hlc, origin)"
                 " SELECT id, hh, kind, date, data, hlc, origin FROM stage WHERE entity = 'event' AND fast = 1")
    for table, entity in (("households", "household"), ("members", "member")):
        cols = ", ".join(["id", *ledger.columns(entity), "_v"])
        conn.execute(f"INSERT INTO {table} ({cols}) SELECT {', '.join('t.' + c for c in cols.split(', '))}"
                     f" FROM stage_{table} t JOIN stage s ON s.n = t.n WHERE s.fast = 1")
    conn.execute("INSERT OR IGNORE INTO household_grids SELECT id, grid FROM stage"
                 " WHERE entity = 'household' AND sg = 1 AND grid IS NOT NULL AND fast = 1")
    for origin, seq, hlc, entity, entity_id, body in conn.execute(
            "SELECT origin, seq, hlc, entity, id, body FROM stage WHERE fast = 0 ORDER BY n").fetchall():
        apply_change(conn, {"origin": origin, "seq": seq, "hlc": hlc, "entity": entity, "id": entity_id,
                            "body": json.loads(body)})
    top = conn.execute("SELECT max(hlc) FROM stage").fetchone()[0]
    if top:
        row = conn.execute("SELECT value FROM meta WHERE key = 'hlc'").fetchone()
        held = json.loads(row[0]) if row else None
        if held is None or parse_hlc(top) > parse_hlc(held):
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('hlc', ?)", (canonical(top),))
    result.conflicts = conn.execute("SELECT count(*) FROM conflicts WHERE id > ?", (before_conflicts,)).fetchone()[0]


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
