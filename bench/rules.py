"""Rule evaluation over a synthetic ledger, against the read floor measured in the same run.

    python bench/rules.py --households 150000

Builds a ledger of N households (~3.3 members each, 6 visits each, monitored ones with lifecycle steps)
with raw executemany (building is not what is measured), then times:
  floor:  one SQL pass reading the same inputs the rules read (households, members, events incl. JSON text)
  assess: grid_cli.findings.assess() — load contexts, run all 16 rules, sort findings
and prints the ratio (target: ≤ 5× the floor).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.events import insert_events  # noqa: E402
from grid_cli.clock import new_id  # noqa: E402
from grid_cli.ledger import Ledger  # noqa: E402

TODAY = dt.date(2026, 11, 22)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(rng: random.Random, age: int) -> str:
    body = f"529999{TODAY.year - age:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def build(path: Path, households: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    ledger = Ledger.create(path, {"level": "grid", "grid_code": "B1", "year": 2026})
    with ledger.write() as w:
        w.set_config(2026, {"threshold": 7600})
    hh_rows, member_rows, event_rows = [], [], []
    for n in range(households):
        hid = new_id()
        kind = "脱贫户" if rng.random() < 0.4 else "一般农户"
        hh_rows.append((hid, f"B{n:07d}", "B1", rng.choice("上下东西"), kind, "正常"))
        ids = []
        for k in range(rng.choice([1, 2, 3, 3, 4, 4, 5, 6])):
            age = rng.randint(1, 85) if k else rng.randint(30, 80)
            mid = new_id()
            ids.append(mid)
            skill = "普通劳动力" if 18 <= age < 60 else "无劳动力"
            school = "初中" if 12 <= age <= 15 else ("失学辍学" if rng.random() < 0.002 else "非在校生")
            member_rows.append((mid, hid, f"成员{n}-{k}", "户主" if k == 0 else "之子", id_number(rng, age),
                                (TODAY - dt.timedelta(days=age * 365)).isoformat(), "健康", skill,
                                rng.choice(["未务工", "县内务工", "省外务工"]), school, int(rng.random() > 0.01)))
        base = rng.randint(5000, 30000)
        for days in (170, 140, 110, 80, 50, 20):
            wages = int(base * len(ids) * rng.uniform(0.9, 1.1))
            data = {"date": (TODAY - dt.timedelta(days=days)).isoformat(), "visitor": "x", "channel": "入户",
                    "income": {"wages": wages, "business": 0, "property": 0, "transfer": 0, "production_costs": 0},
                    "spending": {"medical": rng.choice([0, 0, 0, 30000]), "other_rigid": 0}, "residents": ids,
                    "house_grade": rng.choice("AAAAB" + "C" * (rng.random() < 0.05)), "water": {"litres_per_person_day": 50},
                    "events": [], "per_capita": wages // len(ids)}
            event_rows.append((new_id(), hid, "visit", data["date"], json.dumps(data, ensure_ascii=False), "0"))
        if rng.random() < 0.05:
            event_rows.append((new_id(), hid, "include", "2026-01-10", json.dumps(
                {"category": "边缘易致贫户", "risks": ["因病"], "identified": "2026-01-10"}, ensure_ascii=False), "0"))
    conn = ledger.conn
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO households (id, hh_no, grid, village, hh_type, status) VALUES (?,?,?,?,?,?)", hh_rows)
    conn.executemany("INSERT INTO members (id, household_id, name, relation, id_number, birth_date, health, labour_skill,"
                     " work_status, school_status, medical_insurance, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,'正常')", member_rows)
    insert_events(conn, event_rows)
    conn.execute("COMMIT")
    ledger.close()


def floor(path: Path) -> tuple[float, int]:
    """One SQL pass reading what the rules read, JSON text included (not parsed)."""
    ledger = Ledger.open(path)
    start = time.perf_counter()
    rows = 0
    for sql in ("SELECT id, hh_no, village, hh_type, flags FROM households WHERE status = '正常'",
                "SELECT id, household_id, name, relation, birth_date, health, chronic_card, labour_skill, work_status,"
                " school_status, dropout_reason, medical_insurance, dibao, tekun FROM members WHERE status = '正常'",
                "SELECT id, household_id, kind, date, data, hlc FROM events ORDER BY household_id, date, hlc"):
        for _ in ledger.conn.execute(sql):
            rows += 1
    elapsed = time.perf_counter() - start
    ledger.close()
    return elapsed, rows


def evaluate(path: Path) -> tuple[float, int]:
    from grid_cli.findings import assess

    ledger = Ledger.open(path)
    start = time.perf_counter()
    result = assess(ledger, on=TODAY)
    elapsed = time.perf_counter() - start
    ledger.close()
    return elapsed, len(result.findings)


def peak_rss_mib() -> float | None:
    """This process's peak resident memory (not traced: tracemalloc would slow the timed run)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=150_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="use the ledger a previous run built in --dir")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="grid-bench-"))
    path = folder / "rules-bench.db"
    if not (args.reuse and path.exists()):
        path.unlink(missing_ok=True)
        t = time.perf_counter()
        build(path, args.households)
        print(f"built {args.households:,} households in {time.perf_counter() - t:.1f}s -> {path}")
    floor_s, rows = floor(path)
    eval_s, findings = evaluate(path)
    peak = peak_rss_mib()
    print(f"floor  (one SQL pass, {rows:,} rows): {floor_s:8.2f} s")
    print(f"assess (16 rules, {findings:,} findings): {eval_s:8.2f} s"
          + (f"  peak RSS {peak:,.0f} MiB" if peak else ""))
    print(f"ratio assess/floor: {eval_s / floor_s:.1f}x (target <= 5x)")


if __name__ == "__main__":
    main()
