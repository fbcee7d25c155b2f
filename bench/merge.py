"""Merge benchmark: a county ledger merging its townships' bundles, against the floor of plain `executemany`
of the same change rows into SQLite (same pragmas, same run).

    python bench/merge.py --grids 300 --households 500            # full size (the targets below)
    python bench/merge.py --grids 20 --households 100 --memory 10,20   # a quick run

Two floors, each plain `executemany` with the rows built before the clock starts (no parsing, no checks):
A, the change rows into a `changes`-shaped table; B, every row the merge writes (the change log plus the
event_index, households, members and household_grids rows) into the ledger's own schema and indexes. A
merge cannot beat B; the gap to B is its own work (reading, hash chains, checks, deciding). Reports rows/s
and ratios for: the first merge into an empty county ledger; re-merging the same bundle files (refused by
file hash); re-merging re-packed copies of them (same changes, new files: the (origin, seq) path); an
incremental month. Peak memory of a fresh process merging N grids. `--repeat N` keeps the fastest of N
runs of each floor and of the first merge (this machine's disk varies by +-25% between runs).
The bundles here are unsealed (format 1); bench/secure_merge.py measures the same merge signed and
encrypted against unsealed, in one run. Targets (issue 4): first merge >= 50% of the floor's rows/s;
re-merge <= 10% of the first merge's time; peak memory flat (<= 300 MB) from 50 to 300 grids.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.county import generate  # noqa: E402
from grid_cli.ledger import Ledger  # noqa: E402
from grid_cli.sync import Replayed, create_hub, merge_bundle  # noqa: E402


def county_ledger(path: Path, bundles: list[Path]) -> Ledger:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    townships = [b.stem for b in bundles]
    return create_hub(path, "county", township=None, county="C", codes=townships, year=2026,
                      year_config={"threshold": 7600})


def rows_of(bundle: Path):
    """The change rows a bundle carries: (origin, seq, hlc, entity, id, body text, prev)."""
    with zipfile.ZipFile(bundle) as zf, zf.open("changes.jsonl") as fh:
        out = []
        for line in fh:
            c = json.loads(line)
            body = line.decode("utf-8")
            out.append((c["origin"], c["seq"], c["hlc"], c["entity"], c["id"], body[8:body.rfind(',"entity":')],
                        c.get("prev")))
        return out


def _fresh(path: Path) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def floor(path: Path, bundles: list[Path]) -> tuple[int, float]:
    """Floor A: plain executemany of the change rows into a table shaped like `changes` (one transaction per
    bundle). Nothing else: no parsing (done before the clock starts), no checks, no state tables."""
    conn = _fresh(path)
    conn.execute("CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, origin TEXT NOT NULL, origin_seq INTEGER"
                 " NOT NULL, hlc TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, body TEXT NOT NULL,"
                 " prev TEXT, UNIQUE (origin, origin_seq))")
    total, elapsed = 0, 0.0
    for bundle in bundles:
        rows = rows_of(bundle)
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO changes (origin, origin_seq, hlc, entity, entity_id, body, prev)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        elapsed += time.perf_counter() - started
        total += len(rows)
    conn.close()
    return total, elapsed


def floor_all_rows(path: Path, bundles: list[Path]) -> tuple[int, float]:
    """Floor B: plain executemany of every row the merge writes, into the ledger's own schema (all migrations,
    all indexes): the change log, an event_index row per event, the households, members and household_grids
    rows (built before the clock starts), one transaction per bundle. A merge cannot be faster than the writes
    it has to make; the gap to this floor is the merge's own work (reading, checking, deciding)."""
    from grid_cli.ledger.schema import migrate
    from grid_cli.ledger.changes import JSON_FIELDS, canonical

    conn = _fresh(path)
    migrate(conn)
    cols = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in ("households", "members")}
    total, elapsed, seq = 0, 0.0, 0
    for bundle in bundles:
        changes = rows_of(bundle)
        rows = {"changes": [], "event_index": [], "households": [], "members": [], "household_grids": []}
        for origin, oseq, hlc, entity, eid, body, prev in changes:
            seq += 1
            rows["changes"].append((seq, origin, oseq, hlc, entity, eid, body, prev))
            b = json.loads(body)
            if entity == "event":
                rows["event_index"].append((eid, b["household"], b["kind"], b["date"], seq))
            elif entity in ("household", "member"):
                version = f"{hlc} {origin}"
                f = {**b["f"], "id": eid, "_v": canonical({k: version for k in b["f"]})}
                for k in JSON_FIELDS & f.keys():
                    f[k] = canonical(sorted(f[k])) if f[k] is not None else None
                f.setdefault("status", "正常")
                rows[entity + "s"].append(tuple(f.get(c) for c in cols[entity + "s"]))
                if entity == "household" and f.get("grid"):
                    rows["household_grids"].append((eid, f["grid"]))
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO changes (seq, origin, origin_seq, hlc, entity, entity_id, body, prev)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows["changes"])
        conn.executemany("INSERT INTO event_index VALUES (?, ?, ?, ?, ?)", rows["event_index"])
        for t in ("households", "members"):
            conn.executemany(f"INSERT INTO {t} VALUES ({', '.join('?' * len(cols[t]))})", rows[t])
        conn.executemany("INSERT OR IGNORE INTO household_grids VALUES (?, ?)", rows["household_grids"])
        conn.execute("COMMIT")
        elapsed += time.perf_counter() - started
        total += len(changes)
    conn.close()
    return total, elapsed


def merge_all(ledger: Ledger, bundles: list[Path]) -> tuple[int, int, float]:
    changes = applied = 0
    started = time.perf_counter()
    for bundle in bundles:
        try:
            result = merge_bundle(ledger, bundle)
        except Replayed:  # the same bundle again: refused at once, nothing changes
            continue
        changes += result.changes
        applied += result.applied
    return changes, applied, time.perf_counter() - started


def repack(bundles: list[Path], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for bundle in bundles:
        target = folder / bundle.name
        with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as dst:
            for name in ("changes.jsonl", "manifest.json"):
                with src.open(name) as r, dst.open(name, "w", force_zip64=True) as w:
                    shutil.copyfileobj(r, w, 1 << 20)
        out.append(target)
    return out


def peak_kb() -> int:
    """This process's peak RSS in KB. VmHWM (Linux) belongs to this process image; ru_maxrss would also count
    the parent's high-water mark inherited across fork+exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_memory_run(work: Path, grids: int, per_township: int) -> float:
    """A fresh process merges the first `grids` grids' bundles; returns its peak RSS in MB."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path; from bench.merge import county_ledger, merge_all, peak_kb;"
        "bundles = sorted(Path(sys.argv[2]).glob('*.zip'))[: int(sys.argv[3])];"
        "ledger = county_ledger(Path(sys.argv[4]), bundles); merge_all(ledger, bundles);"
        "print(peak_kb())"
    )
    n_bundles = max(1, grids // per_township)
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).resolve().parents[1]), str(work / "year"),
                          str(n_bundles), str(work / f"mem{grids}.db")], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # KB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grids", type=int, default=300)
    ap.add_argument("--households", type=int, default=500)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--per-township", type=int, default=10)
    ap.add_argument("--work", type=Path, default=Path("/tmp/grid-bench"))
    ap.add_argument("--memory", default="50,300", help="grid counts for the peak-memory runs ('' to skip)")
    ap.add_argument("--reuse", action="store_true", help="reuse bundles already generated in --work")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run both floors and the first merge N times each (fresh files) and keep the fastest")
    ap.add_argument("--memory-only", action="store_true", help="only the peak-memory runs (implies --reuse)")
    args = ap.parse_args()
    if args.memory_only:
        sizes = [int(x) for x in args.memory.split(",") if x]
        print(json.dumps({"peak_rss_mb": {g: round(peak_memory_run(args.work, g, args.per_township), 1) for g in sizes}}))
        return
    work = args.work
    if not args.reuse:
        shutil.rmtree(work, ignore_errors=True)
        started = time.perf_counter()
        summary = generate(work, args.grids, args.households, args.months, args.per_township)
        print(f"generated {summary['year']:,} changes (+{summary['month']:,} next month) in "
              f"{len(summary['townships'])} township bundles, {time.perf_counter() - started:.0f}s")
    year = sorted((work / "year").glob("*.zip"))
    month = sorted((work / "month").glob("*.zip"))
    report = {}

    n, t = min((floor(work / "floor.db", year) for _ in range(args.repeat)), key=lambda r: r[1])
    report["floor_first"] = {"rows": n, "seconds": round(t, 2), "rows_per_s": round(n / t)}
    nb, tb = min((floor_all_rows(work / "floor-b.db", year) for _ in range(args.repeat)), key=lambda r: r[1])
    report["floor_all_rows"] = {"rows": nb, "seconds": round(tb, 2), "rows_per_s": round(nb / tb),
                                "vs_floor": round((nb / tb) / (n / t), 3)}  # the best any merge could reach
    t1 = float("inf")
    for attempt in range(args.repeat):  # each into a new, empty county ledger; the last one goes on below
        ledger = county_ledger(work / "county.db", year)
        changes, applied, elapsed = merge_all(ledger, year)
        t1 = min(t1, elapsed)
        if attempt < args.repeat - 1:
            ledger.close()
    assert applied == n, (applied, n)
    report["first_merge"] = {"rows": applied, "seconds": round(t1, 2), "rows_per_s": round(applied / t1),
                             "vs_floor": round((applied / t1) / (n / t), 3),
                             "vs_floor_all_rows": round((applied / t1) / (nb / tb), 3)}
    _c, again, t2 = merge_all(ledger, year)
    assert again == 0
    report["remerge_same_files"] = {"seconds": round(t2, 3), "vs_first": round(t2 / t1, 4)}
    packed = repack(year, work / "repacked")
    _c, again, t3 = merge_all(ledger, packed)
    assert again == 0
    report["remerge_repacked"] = {"seconds": round(t3, 2), "vs_first": round(t3 / t1, 4)}
    if month:
        mn, mt = floor(work / "floor-month.db", month)
        _c, applied_m, tm = merge_all(ledger, month)
        assert applied_m == mn
        report["incremental_month"] = {"rows": applied_m, "seconds": round(tm, 2), "rows_per_s": round(applied_m / tm),
                                       "floor_rows_per_s": round(mn / mt), "vs_floor": round((applied_m / tm) / (mn / mt), 3)}
    ledger.close()
    if args.memory:
        report["peak_rss_mb"] = {}
        for grids in [int(x) for x in args.memory.split(",") if x]:
            if grids <= args.grids:
                report["peak_rss_mb"][grids] = round(peak_memory_run(work, grids, args.per_township), 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
