"""Benchmark: the monthly ledger of a 20,000-household township, against openpyxl's write-only floor.

    /work/venv/bin/python bench/ledger_xlsx.py [--households 20000] [--repeat 2] [--dir /tmp/grid-bench]

Builds a synthetic township hub ledger with raw `executemany` into the ledger's tables (households,
members, visit and lifecycle events, config; bypassing the Writer and its change log, which the export
does not read), then times, in the same run:

  export   `build_monthly` (bulk reads + the rule engine as of the month's end) and `write_xlsx`
           (styled, print-ready workbook: the three sheets, charts, row heights), i.e. `grid ledger`;
  floor    openpyxl write-only of the same cells (the same rows of the same two big sheets plus the
           summary values), unstyled, no page setup.

and prints the times and the ratios. Not a test: CI never asserts wall-clock times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.events import insert_events  # noqa: E402
from grid_cli.ledger import Ledger  # noqa: E402
from grid_cli.ledger.store import canonical  # noqa: E402

TODAY = dt.date(2026, 11, 22)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦潘杜"
GIVEN = "秀兰建国桂英志强海燕小红明华德福玉梅家豪子涵永康春花金凤国庆文静丽娟长生雨轩俊杰晓东"
SKILLS = ["普通劳动力", "普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"]
RISKS = ["因病", "因残", "因学", "因自然灾害", "因意外事故", "因务工就业不稳", "缺劳动力"]
CATEGORIES = ["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
MEASURES = ["产业帮扶", "就业帮扶", "公益岗位帮扶", "健康帮扶", "综合保障"]


def id_number(rng: random.Random, birth: dt.date) -> str:
    body = f"529999{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def build(path: Path, households: int, seed: int = 7) -> Ledger:
    """A township hub ledger: 200 grids of ~100 households, ~3.3 members each, 4 monthly visits each,
    ~8 % monitored with helpers and measures, a few eliminated."""
    rng = random.Random(seed)
    ledger = Ledger.create(path, {"level": "township", "county": "云岭县", "township": "桃溪镇", "year": 2026})
    conn = ledger.conn
    hh_rows, member_rows, event_rows = [], [], []
    hlc = 1795000000000

    def event(hid, kind, date, data):
        nonlocal hlc
        hlc += 1
        event_rows.append((str(uuid.UUID(int=rng.getrandbits(128))), hid, kind, date, canonical(data),
                           f"{hlc:013d}.00000"))

    for n in range(households):
        hid = str(uuid.UUID(int=rng.getrandbits(128)))
        grid = f"TX-{n // 100:03d}"
        village = f"{grid}-{'上下东西'[n % 4]}寨"
        hh_type = "脱贫户" if rng.random() < 0.45 else "一般农户"
        hh_rows.append((hid, f"5299990301{n:06d}", grid, village, str(n % 9 + 1), f"139{rng.randrange(10**8):08d}",
                        hh_type, None, "[]", None))
        size = rng.choice([1, 2, 3, 3, 4, 4, 5, 6])
        ids = []
        for k in range(size):
            mid = str(uuid.UUID(int=rng.getrandbits(128)))
            ids.append(mid)
            age = rng.randint(30, 70) if k == 0 else rng.randint(1, 80)
            birth = dt.date(TODAY.year - age, rng.randint(1, 12), rng.randint(1, 28))
            school = "小学" if 6 <= age <= 11 else "初中" if 12 <= age <= 14 else "非在校生"
            member_rows.append((
                mid, hid, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), id_number(rng, birth),
                "户主" if k == 0 else rng.choice(["配偶", "之子", "之女", "之母"]), rng.choice("男女"),
                birth.isoformat(), "汉族", "初中", school, "健康" if rng.random() < 0.85 else "长期慢性病",
                rng.choice(SKILLS) if age >= 16 else "无劳动力", "未务工", 0, 1, 1, 1, 0, 0, None))
        for months_ago in (3, 2, 1, 0):
            day = TODAY - dt.timedelta(days=30 * months_ago + rng.randint(0, 15))
            wages = rng.randint(0, 60000)
            event(hid, "visit", day.isoformat(), {
                "date": day.isoformat(), "visitor": "网格员", "channel": "入户",
                "income": {"wages": wages, "business": rng.randint(0, 20000), "property": 0,
                           "transfer": rng.randint(0, 6000), "production_costs": rng.randint(0, 3000)},
                "spending": {"medical": rng.choice([0, 0, 0, 3000, 25000]), "other_rigid": 0},
                "residents": ids, "member_updates": {}, "house_grade": rng.choice("AAAB" * 10 + "C"),
                "water": {"litres_per_person_day": 60, "piped": True, "cut_days": 0, "quality_ok": True},
                "events": [], "needs": "", "notes": "", "per_capita": wages // size})
        if rng.random() < 0.08:
            start = TODAY - dt.timedelta(days=rng.randint(60, 600))
            event(hid, "include", start.isoformat(), {
                "category": rng.choice(CATEGORIES), "risks": rng.sample(RISKS, rng.randint(1, 3)),
                "identified": start.isoformat(), "source": None, "reinclusion": False,
                "village_review": None, "notice": None, "township_review": None, "county_approval": None})
            event(hid, "helper", start.isoformat(), {"name": "帮扶干部", "unit": "桃溪镇人民政府", "phone": None,
                                                     "start": start.isoformat()})
            for kind in rng.sample(MEASURES, rng.randint(1, 2)):
                event(hid, "measure", start.isoformat(), {"kind": kind, "detail": "", "start": start.isoformat()})
            if rng.random() < 0.2:
                event(hid, "eliminate", (TODAY - dt.timedelta(days=10)).isoformat(), {
                    "method": "帮扶消除", "month": f"{TODAY:%Y-%m}", "village_review": None, "notice": None,
                    "township_review": None, "county_approval": None})
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO households (id, hh_no, grid, village, group_no, phone, hh_type, category, flags, address)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?)", hh_rows)
    conn.executemany(
        "INSERT INTO members (id, household_id, name, id_number, relation, sex, birth_date, ethnicity, education,"
        " school_status, health, labour_skill, work_status, work_months, medical_insurance, serious_illness_insurance,"
        " pension_insurance, dibao, tekun, phone) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", member_rows)
    insert_events(conn, event_rows)
    conn.execute("INSERT INTO config (year, key, value) VALUES (2026, 'threshold', '7600')")
    conn.execute("COMMIT")
    return ledger


def floor(book, path: Path) -> None:
    """openpyxl write-only, the same cells, no styles, no page setup, no charts."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for table in sheet.tables:
            ws.append([table.title])
            ws.append(table.header)
            for row in table.rows:
                ws.append(row)
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement; the fastest counts")
    args = parser.parse_args()
    os.environ["GRID_TODAY"] = TODAY.isoformat()
    from grid_cli.exports.monthly import build_monthly
    from grid_cli.exports.xlsx import write_xlsx
    from grid_cli.i18n import set_lang

    set_lang("zh")
    folder = args.dir or Path(tempfile.mkdtemp(prefix="grid-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "township.db"
    for old in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        old.unlink(missing_ok=True)
    t = time.perf_counter()
    ledger = build(db, args.households)
    print(f"synthetic ledger: {args.households:,} households (raw executemany) in {time.perf_counter() - t:.1f} s -> {db}")

    t_build = t_write = t_floor = float("inf")
    for _ in range(args.repeat):  # interleaved; the fastest of each (the machine is shared and noisy)
        t = time.perf_counter()
        monthly = build_monthly(ledger, f"{TODAY:%Y-%m}")
        t_build = min(t_build, time.perf_counter() - t)
        t = time.perf_counter()
        write_xlsx(monthly.book, folder / "ledger.xlsx")
        t_write = min(t_write, time.perf_counter() - t)
        t = time.perf_counter()
        floor(monthly.book, folder / "floor.xlsx")
        t_floor = min(t_floor, time.perf_counter() - t)
    cells = sum(len(r) for tb in monthly.book.tables() for r in tb.rows)
    total = t_build + t_write
    print(f"rows: {monthly.households:,} households, {monthly.members:,} members; {cells:,} cells; best of {args.repeat}")
    print(f"build tables (reads + rules) {t_build:6.2f} s")
    print(f"write styled xlsx            {t_write:6.2f} s   {t_write / t_floor:4.2f}x floor")
    print(f"export total (grid ledger)   {total:6.2f} s   {total / t_floor:4.2f}x floor  (target <= 1.5x)")
    print(f"floor: write-only, same cells {t_floor:6.2f} s")


if __name__ == "__main__":
    main()
