"""The cost of signing, encryption and per-origin proofs: a county ledger merging the same townships' bundles
unsealed (format 1, no keys) and sealed (format 3: signed by each township, encrypted to the county, every
grid's changes proven against that grid's own signed chain head, the grids' keys stated by their township in
the same bundle), in the same run.

    python bench/secure_merge.py --grids 50 --households 200

Reports rows/s of the first merge of a year of changes for both, the ratio, the time the merge spent checking
the per-origin heads (`check_heads`: signatures, statements, keeping the proofs; the fold of each line's
hash into its origin's accumulator happens inside the intake's pass and is in the sealed figure), and the
cost of sealing the bundles (what `grid sync export` adds: compress + encrypt + sign + prove) against
writing them plain. Run the same command on the previous version to compare sealed merges across versions:
each run's sealed/plain ratio is measured against its own plain floor, so machine load cancels out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import secrets
import shutil
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.county import generate  # noqa: E402
from bench.merge import county_ledger, merge_all  # noqa: E402
from grid_cli.clock import format_hlc, wall_ms  # noqa: E402
from grid_cli.ledger.changes import GENESIS, Mountains, canonical, change_line, line_hash  # noqa: E402
from grid_cli.security.envelope import SEALED, SIGNATURE, SealWriter, security_block  # noqa: E402
from grid_cli.security.heads import HEAD_DOMAIN, head_message  # noqa: E402
from grid_cli.security.keys import Keys, create_keys  # noqa: E402
from grid_cli.security.trust import PUBLIC_FORMAT, _signed, trust_add  # noqa: E402
from grid_cli.sync import merge as merge_module  # noqa: E402
from grid_cli.sync.format import MANIFEST, PAYLOAD, VERSION, dumps  # noqa: E402


def plain_copy(bundles: list[Path], folder: Path) -> tuple[list[Path], float]:
    """Re-write each bundle plain (deflate, as export does): the baseline for the sealing cost."""
    folder.mkdir(parents=True, exist_ok=True)
    out, started = [], time.perf_counter()
    for bundle in bundles:
        target = folder / bundle.name
        with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as dst:
            with src.open(PAYLOAD) as r, dst.open(PAYLOAD, "w", force_zip64=True) as w:
                shutil.copyfileobj(r, w, 1 << 20)
            dst.writestr(MANIFEST, src.read(MANIFEST))
        out.append(target)
    return out, time.perf_counter() - started


def seal(bundles: list[Path], folder: Path, county) -> tuple[list[Path], float]:
    """Each township bundle as a township's `grid sync export` writes it: its grids' changes proven against
    each grid's signed head, the township's statements of its grids' keys (its own changes), signed by the
    township's key (enrolled at the county) and encrypted to the county."""
    folder.mkdir(parents=True, exist_ok=True)
    county_box = bytes.fromhex(county.meta("keys")["box_pk"])
    out, elapsed = [], 0.0
    for bundle in bundles:
        with zipfile.ZipFile(bundle) as src:
            m = json.loads(src.read(MANIFEST))
        sender = m["sender"]
        keys = _keys(sender["replica"])
        trust_add(county, _signed({"format": PUBLIC_FORMAT, "version": 1, **keys.public(sender),
                                   "created": dt.datetime.now(dt.timezone.utc).isoformat()}, keys))
        grid_keys = {o: _keys(o) for o in m["origins"]}
        target = folder / bundle.name
        started = time.perf_counter()
        peaks = {o: Mountains() for o in m["origins"]}
        digest, nbytes, lines = hashlib.sha256(), 0, 0
        with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
            with src.open(PAYLOAD) as r, dst.open(zipfile.ZipInfo(SEALED), "w", force_zip64=True) as raw:
                writer = SealWriter(raw, county_box)
                rest = b""
                for chunk in iter(lambda: r.read(1 << 20), b""):
                    parts = (rest + chunk).split(b"\n")
                    rest = parts.pop()
                    for line in parts:
                        origin = line[line.rfind(b',"origin":"') + 11:].split(b'"', 1)[0].decode()
                        mr = peaks[origin]
                        mr.push(0, mr.count, hashlib.sha256(line).digest())
                    digest.update(chunk)
                    nbytes += len(chunk)
                    lines += chunk.count(b"\n")
                    writer.write(chunk)
                own = _statements(sender, grid_keys, m["origins"])  # the township's own changes: one statement per grid key
                peaks[sender["replica"]] = own_range = Mountains()
                for line in own:
                    own_range.push(0, own_range.count, hashlib.sha256(line.rstrip(b"\n")).digest())
                data = b"".join(own)
                digest.update(data)
                writer.write(data)
                writer.close()
            m["version"] = VERSION
            m["recipient"]["replica"] = county.replica_id
            m["origins"][sender["replica"]] = {k: sender[k] for k in ("level", "code", "parent")}
            m["ranges"][sender["replica"]] = [[1, len(own)]]
            m["counts"][sender["replica"]] = len(own)
            m["payload"].update(sha256=digest.hexdigest(), bytes=nbytes + len(data), lines=lines + len(own))
            m["chain"] = {}
            for origin, ranges in m["ranges"].items():
                signer, last = (keys, len(own)) if origin == sender["replica"] else (grid_keys[origin], ranges[-1][1])
                head = peaks[origin].acc().hex()
                sig = signer.sign(head_message(origin, last, 0, head), HEAD_DOMAIN).hex()
                m["chain"][origin] = {"start": 0, "head": [last, head, sig], "blocks": []}
            m["security"] = security_block(keys, {"box_pk": county_box.hex()}, writer)
            text = dumps(m).encode("utf-8")
            dst.writestr(MANIFEST, text)
            dst.writestr(SIGNATURE, keys.sign(text).hex())
        elapsed += time.perf_counter() - started
        out.append(target)
    return out, elapsed


def _keys(replica: str) -> Keys:
    return Keys(replica, secrets.token_bytes(32), secrets.token_bytes(32), secrets.token_bytes(32))


def _statements(township: dict, grid_keys: dict, places: dict) -> list[bytes]:
    """The township's statements of its grids' keys, as `grid sync export` at a township writes them."""
    out, prev, stamp = [], GENESIS, wall_ms()
    for seq, (replica, keys) in enumerate(sorted(grid_keys.items()), start=1):
        body = {"op": "key", "key": {"replica": replica, "level": "grid", "code": places[replica]["code"], "parent": township["code"],
                                     "sign_pk": keys.sign_pk.hex(), "box_pk": keys.box_pk.hex(), "revoked_upto": None,
                                     "retired": False}}
        line = change_line(township["replica"], seq, format_hlc(stamp, seq), "key", replica, canonical(body), prev)
        prev = line_hash(line)
        out.append(line.encode("utf-8"))
    return out


class Timer:
    """Time spent in one function, across calls (the merge's head checks)."""

    def __init__(self, module, name: str):
        self.module, self.name, self.seconds, self.calls = module, name, 0.0, 0
        self.inner = getattr(module, name)
        setattr(module, name, self)

    def __call__(self, *args, **kw):
        started = time.perf_counter()
        try:
            return self.inner(*args, **kw)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grids", type=int, default=50)
    ap.add_argument("--households", type=int, default=200)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--per-township", type=int, default=10)
    ap.add_argument("--work", type=Path, default=Path("/tmp/grid-bench-secure"))
    ap.add_argument("--rounds", type=int, default=2, help="alternate plain/sealed merges this many times")
    args = ap.parse_args()
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    summary = generate(work, args.grids, args.households, args.months, args.per_township, incremental=False)
    year = sorted((work / "year").glob("*.zip"))
    print(f"generated {summary['year']:,} changes in {len(year)} township bundles")
    plain, t_plain_write = plain_copy(year, work / "plain")
    probe = county_ledger(work / "probe.db", year)
    create_keys(probe)
    probe.close()
    report = {"changes": summary["year"], "bundles": len(year), "write_plain_s": round(t_plain_write, 2)}
    runs = {"plain": [], "sealed": []}
    heads = Timer(merge_module, "check_heads")
    for r in range(args.rounds):
        ledger = county_ledger(work / f"plain-{r}.db", plain)
        changes, applied, t = merge_all(ledger, plain)
        ledger.close()
        runs["plain"].append(applied / t)
        county = county_ledger(work / f"sealed-{r}.db", year)
        create_keys(county)
        sealed, t_seal = seal(year, work / f"sealed-{r}", county)
        heads.seconds = heads.calls = 0
        _c, applied_s, ts = merge_all(county, sealed)
        county.close()
        assert applied_s == applied + args.grids, (applied_s, applied)  # + each township's statements of its grids' keys
        runs["sealed"].append((applied / ts, heads.seconds / ts, heads.seconds, heads.calls))
        report["write_sealed_s"] = round(t_seal, 2)
    best_plain = max(runs["plain"])
    best_sealed = max(runs["sealed"])
    report["merge_plain_rows_per_s"] = round(best_plain)
    report["merge_sealed_rows_per_s"] = round(best_sealed[0])
    report["sealed_vs_plain"] = round(best_sealed[0] / best_plain, 3)
    report["head_checks_s"] = round(best_sealed[2], 3)          # per-origin heads: signatures, statements, proofs kept
    report["head_checks_share_of_merge"] = round(best_sealed[1], 4)
    report["origins_proven"] = args.grids + len(year)  # every grid, and each township (its statements)
    report["bytes_plain"] = sum(p.stat().st_size for p in plain)
    report["bytes_sealed"] = sum(p.stat().st_size for p in (work / f"sealed-{args.rounds - 1}").glob("*.zip"))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
