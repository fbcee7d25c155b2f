"""The cost of signing and encryption: a county ledger merging the same townships' bundles unsealed (format 1,
no keys) and sealed (format 2: signed by each township, encrypted to the county), in the same run.

    python bench/secure_merge.py --grids 50 --households 200

Reports rows/s of the first merge of a year of changes for both, the ratio, and the cost of sealing the
bundles (what `grid sync export` adds: compress + encrypt + sign) against writing them plain.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from grid_cli.security.envelope import SEALED, SIGNATURE, SealWriter, security_block  # noqa: E402
from grid_cli.security.keys import Keys, create_keys  # noqa: E402
from grid_cli.security.trust import PUBLIC_FORMAT, _signed, trust_add  # noqa: E402
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
    """Each township bundle signed by its township's key (enrolled at the county) and encrypted to the county."""
    folder.mkdir(parents=True, exist_ok=True)
    county_box = bytes.fromhex(county.meta("keys")["box_pk"])
    out, elapsed = [], 0.0
    for bundle in bundles:
        with zipfile.ZipFile(bundle) as src:
            m = json.loads(src.read(MANIFEST))
        sender = m["sender"]
        keys = Keys(sender["replica"], secrets.token_bytes(32), secrets.token_bytes(32), secrets.token_bytes(32))
        trust_add(county, _signed({"format": PUBLIC_FORMAT, "version": 1, **keys.public(sender),
                                   "created": dt.datetime.now(dt.timezone.utc).isoformat()}, keys))
        target = folder / bundle.name
        started = time.perf_counter()
        with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
            with src.open(PAYLOAD) as r, dst.open(zipfile.ZipInfo(SEALED), "w", force_zip64=True) as raw:
                writer = SealWriter(raw, county_box)
                for chunk in iter(lambda: r.read(1 << 20), b""):
                    writer.write(chunk)
                writer.close()
            m["version"] = VERSION
            m["recipient"]["replica"] = county.replica_id
            m["security"] = security_block(keys, {"box_pk": county_box.hex()}, writer)
            data = dumps(m).encode("utf-8")
            dst.writestr(MANIFEST, data)
            dst.writestr(SIGNATURE, keys.sign(data).hex())
        elapsed += time.perf_counter() - started
        out.append(target)
    return out, elapsed


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
    for r in range(args.rounds):
        ledger = county_ledger(work / f"plain-{r}.db", plain)
        changes, applied, t = merge_all(ledger, plain)
        ledger.close()
        runs["plain"].append(applied / t)
        county = county_ledger(work / f"sealed-{r}.db", year)
        create_keys(county)
        sealed, t_seal = seal(year, work / f"sealed-{r}", county)
        _c, applied_s, ts = merge_all(county, sealed)
        county.close()
        assert applied_s == applied, (applied_s, applied)
        runs["sealed"].append(applied_s / ts)
        report["write_sealed_s"] = round(t_seal, 2)
    best = {k: max(v) for k, v in runs.items()}
    report["merge_plain_rows_per_s"] = round(best["plain"])
    report["merge_sealed_rows_per_s"] = round(best["sealed"])
    report["sealed_vs_plain"] = round(best["sealed"] / best["plain"], 3)
    report["bytes_plain"] = sum(p.stat().st_size for p in plain)
    report["bytes_sealed"] = sum(p.stat().st_size for p in (work / f"sealed-{args.rounds - 1}").glob("*.zip"))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
