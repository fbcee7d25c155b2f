"""`grid check` over a synthetic township, against the floor of one SQL pass over the same columns.

    python bench/check.py --households 20000 [--repeat 3] [--dir DIR --reuse]

Builds a township ledger (N households of ~3.3 members, a year of monthly visits, 8% monitored with their
lifecycle steps and measures, a sprinkling of the faults the catalogue looks for), written with raw
executemany and bench/events.py (building is not what is measured). Then, each as a whole process, as a
user runs it, best of --repeat:
  floor:  one SQL pass reading the columns the checks read (members, households, the lifecycle steps and
          each household's latest visit, JSON text included, not parsed)
  check:  `grid check --json` (every check, counts per check)
and prints both times (wall, and CPU), the ratio (target <= 3x) and each process's peak RSS (target <= 300 MB).
grid's own modules are compiled to bytecode first, as `pip install` leaves them (with PYTHONDONTWRITEBYTECODE
set, every measured process would otherwise compile them from source: some 0.3 s no installed grid spends).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.events import insert_events  # noqa: E402
from grid_cli.clock import new_id  # noqa: E402

TODAY = dt.date(2026, 11, 22)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SCHOOL = {range(0, 6): "学龄前儿童", range(6, 12): "小学", range(12, 15): "七年级", range(15, 18): "普通高中二年级"}


def id_number(rng: random.Random, birth: dt.date) -> str:
    body = f"529999{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    number = body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]
    return number if rng.random() > 0.002 else number[:17] + "0"  # a few wrong check characters


def build(path: Path, households: int, seed: int = 15) -> None:
    from grid_cli.ledger import Ledger

    rng = random.Random(seed)
    ledger = Ledger.create(path, {"level": "township", "township": "T", "county": "C", "year": 2026})
    with ledger.write() as w:
        w.set_config(2026, {"threshold": 7600})
    conn = ledger.conn
    conn.execute("BEGIN")
    hh_rows, member_rows, events = [], [], []
    for n in range(households):
        hid = new_id()
        grid = f"G{n // 250:03d}"
        monitored = rng.random() < 0.08
        hh_rows.append((hid, f"52999901{n:06d}", grid, f"村{n // 500}", rng.choice(["脱贫户", "一般农户"]),
                        "边缘易致贫户" if monitored else None, f"139{rng.randint(0, 10**8 - 1):08d}", "正常"))
        size = rng.choice([1, 2, 3, 3, 4, 4, 5, 6])
        head_age = head_sex = None  # the head's (member 0), set before the others need them
        for k in range(size):
            age = rng.randint(30, 80) if k == 0 else rng.randint(1, 85)
            birth = dt.date(TODAY.year - age, rng.randint(1, 12), rng.randint(1, 28))
            number = id_number(rng, birth)
            health = rng.choice(["健康"] * 8 + ["长期慢性病", "残疾"])
            if health == "残疾" and rng.random() > 0.02:
                number += f"{rng.randint(1, 7)}{rng.randint(3, 4)}"  # the certificate number (grade 3 or 4)
            school = next((v for r, v in SCHOOL.items() if age in r), "非在校生")
            skill = "普通劳动力" if 16 <= age < 60 else "无劳动力"
            if k == 0:
                head_age = age
            male = int(number[16]) % 2
            relation = "户主" if k == 0 else (("之父" if male else "之母") if age >= head_age + 20
                                               else "配偶" if abs(age - head_age) < 10
                                               else ("之孙子" if male else "之孙女") if age <= head_age - 40
                                               else ("之子" if male else "之女") if age <= head_age - 18 else "其他")
            while relation == "配偶" and (int(number[16]) % 2) == head_sex and rng.random() > 0.01:
                number = id_number(rng, birth)  # a spouse of the other sex, nearly always
            if k == 0:
                head_sex = int(number[16]) % 2
            member_rows.append((new_id(), hid, f"成员{n}-{k}", number, relation, "男" if int(number[16]) % 2 else "女",
                                birth.isoformat(), "初中" if school == "非在校生" else None,
                                school, health, skill,
                                rng.choice(["未务工", "县内务工", "省外务工"]) if skill != "无劳动力" else "未务工",
                                1, 1 if rng.random() > 0.01 else None, 1, int(rng.random() < 0.05), 0, "正常"))
        residents = list(range(size))
        for month in range(1, 12):
            wages = size * rng.randint(7000, 25000)
            data = {"date": f"2026-{month:02d}-10", "income": {"wages": wages, "business": 0, "property": 0, "transfer": 0,
                                                               "production_costs": 0},
                    "residents": residents, "per_capita": wages // size, "house_grade": rng.choice("AAAAB" + "C" * (rng.random() < 0.05))}
            events.append((new_id(), hid, "visit", data["date"], json.dumps(data, ensure_ascii=False), f"{month:02d}"))
        if monitored:
            events.append((new_id(), hid, "include", "2026-03-05", json.dumps(
                {"category": "边缘易致贫户", "risks": [rng.choice(["因病", "因学", "缺劳动力"])], "identified": "2026-03-05"},
                ensure_ascii=False), "a"))
            if rng.random() < 0.7:
                events.append((new_id(), hid, "measure", "2026-03-20", json.dumps(
                    {"kind": rng.choice(["产业帮扶", "健康帮扶", "综合保障"]), "start": "2026-03-20", "detail": ""},
                    ensure_ascii=False), "b"))
    conn.executemany("INSERT INTO households (id, hh_no, grid, village, hh_type, category, phone, status)"
                     " VALUES (?,?,?,?,?,?,?,?)", hh_rows)
    conn.executemany("INSERT INTO members (id, household_id, name, id_number, relation, sex, birth_date, education,"
                     " school_status, health, labour_skill, work_status, medical_insurance, serious_illness_insurance,"
                     " pension_insurance, dibao, tekun, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", member_rows)
    insert_events(conn, events)
    conn.execute("COMMIT")
    ledger.close()


FLOOR = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
n = 0
for sql in (
    "SELECT m.id, m.household_id, m.name, m.id_number, m.relation, m.sex, m.birth_date, m.education, m.school_status,"
    " m.dropout_reason, m.health, m.disability_grade, m.id_type, m.labour_skill, m.work_status, m.work_months,"
    " m.medical_insurance, m.employee_medical_insurance, m.serious_illness_insurance, m.pension_insurance,"
    " m.employee_pension_insurance, m.dibao, m.tekun, m.phone FROM members m WHERE m.status = '正常'",
    "SELECT id, hh_no, village, grid, hh_type, category, flags, phone FROM households WHERE status = '正常'",
    "SELECT household_id, id, kind, date, data, hlc FROM events WHERE kind IN ('include', 'helper', 'helper_end',"
    " 'measure', 'measure_end', 'eliminate', 'check_exempt')",
    "SELECT v.household_id, v.date, c.body FROM (SELECT household_id, max(date) AS date, change_seq FROM event_index"
    " WHERE kind = 'visit' GROUP BY household_id) v JOIN changes c ON c.seq = v.change_seq"):
    for _ in conn.execute(sql):
        n += 1
print(n)
"""


def timed(argv: list[str], env: dict) -> tuple[float, float, float, str]:
    """(seconds, CPU seconds, peak RSS in MiB of that very process, its stdout): one whole process, as a user
    runs it. (os.wait4 gives the child's own resource usage: Linux and macOS.)"""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[:4])} failed with exit code {proc.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10), out.decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="use the ledger a previous run built in --dir")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="grid-bench-check-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "check-bench.db"
    if args.build_only:
        build(path, args.households)
        return
    if not (args.reuse and path.exists()):
        path.unlink(missing_ok=True)
        t = time.perf_counter()  # in a process of its own: the measured ones start from a small parent
        subprocess.run([sys.executable, __file__, "--build-only", "--households", str(args.households),
                        "--dir", str(folder)], check=True)
        print(f"built {args.households:,} households in {time.perf_counter() - t:.1f}s -> {path}")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "grid_cli")], check=True)  # as installed
    env = {**os.environ, "GRID_TODAY": TODAY.isoformat(), "GRID_LANG": "en", "PYTHONPATH": str(ROOT)}
    floor_runs, check_runs = [], []
    for _ in range(args.repeat):  # alternate, so a busy moment on a shared machine hits both
        floor_runs.append(timed([sys.executable, "-c", FLOOR, str(path)], env)[:3])
        *check, out = timed([sys.executable, "-m", "grid_cli", "--ledger", str(path), "check", "--json"], env)
        check_runs.append(check)
        summary = json.loads(out)
    floor_s, floor_cpu, floor_rss = min(floor_runs)
    check_s, check_cpu = min(s for s, _, _ in check_runs), min(c for _, c, _ in check_runs)
    floor_cpu = min(c for _, c, _ in floor_runs)
    peak = max(r for _, _, r in check_runs)
    print(f"floor (one SQL pass over the same columns, whole process): {floor_s:6.2f} s  ({floor_cpu:.2f} s CPU)"
          f"  peak RSS {floor_rss:,.0f} MiB")
    print(f"grid check --json ({len(summary['checks'])} checks, {summary['problems']:,} problems, "
          f"{summary['households']:,} households): {check_s:6.2f} s  ({check_cpu:.2f} s CPU)  peak RSS {peak:,.0f} MiB")
    print(f"ratio check/floor: {check_s / floor_s:.1f}x (target <= 3x; CPU {check_cpu / floor_cpu:.1f}x, which a shared"
          f" machine moves less); peak {peak:,.0f} MiB (target <= 300 MB)")


if __name__ == "__main__":
    main()
