"""The commands a county office runs, each as a whole process on a synthetic county, against a floor
measured in the same run.

    python bench/county_commands.py                       # 50k and 150k households
    python bench/county_commands.py --sizes 50000 --repeat 3
    python bench/county_commands.py --full                # also 300k
    python bench/county_commands.py --sizes 20000 --only risk,due   # fewer commands (the merge and the first risk always run)

For each size, bench/county.py writes a year of township bundles (500 households a grid, 10 grids a
township, a visit per household per month) and the next month's; a county ledger merges the year once
(not timed) and is kept in --work for --reuse. Then, each a fresh process (`python -m grid_cli ...`;
seconds are wall time, peak RSS is the process's own high-water mark from wait4):

  sync merge        `grid sync merge month/*.zip` (a visit to every household, 5% edited)
                    floor: merge_bundle alone over the same bundles, into another copy, in one process
  risk --json       the first after the merge (every household was touched: all re-assessed), then again
                    (the stored findings); floors: the SQL reading the rules' inputs (households, members,
                    visit and step bodies in the look-back), and the SQL reading the stored findings it prints
  risk              the default at a county: the summary by township
  due               `grid due` and `grid due --json` (nobody is overdue: the visits are a month old)
                    floor: the last visit of every household in SQL
  ledger            `grid ledger --month <the merged month> --out` (the whole county: a past month, judged
                    by the rules) and the current month (the stored findings)
                    floor: the same SELECTs, then openpyxl write-only of the same shape (the rows, the
                    columns, unstyled)
  report quarter    `grid report quarter --out .xlsx` for the last quarter (three past month ends, judged by
                    the rules in one batched pass) and this one (today's findings, stored)
                    floor: the SQL reading the rules' inputs
  --help            `grid --help`; floor: `python -c "import typer"`

grid's own modules are compiled to bytecode first (`python -m compileall grid_cli`), as `pip install` does:
without it, a shell with PYTHONDONTWRITEBYTECODE set (CI, sandboxes) compiles them from source in every
measured process, some 0.2-0.3 CPU seconds a command that no installed grid spends.

Each line: the command's wall and CPU seconds and peak RSS, its floor's, and both ratios (on a shared
machine the CPU ratio moves less with the load). A command that judges in worker processes (the first risk,
the report: grid_cli/workers.py, one per core up to 4) counts their CPU seconds too, and its peak RSS is the
whole process tree's, sampled every 50 ms (the sum over the parent and its workers), or the parent's own
high-water mark if that is higher. GRID_WORKERS=0 in the environment measures the one-process figures. Targets (issue 14): every command <= 300 MB at every size; sync merge <= 1.3x merge_bundle; risk --json
and due <= 2.5x their SQL floor; the ledger <= 1.3x its write-only floor; the report <= 3x its floor;
--help <= 1.6x. GRID_TODAY is set to 26 days after the merged month's visits (so nobody is overdue).
`--repeat N` keeps the fastest of N runs of every measurement (the machine is shared); the merge and the
first risk after it use a fresh copy of the county each time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GRIDS_PER_TOWNSHIP, HOUSEHOLDS_PER_GRID, MONTHS = 10, 500, 12


# Each measured process reports its own peak resident memory (VmHWM: reset at exec, so the bench's own
# memory is not counted, as wait4's ru_maxrss would after fork) and its CPU seconds, with those of the
# worker processes it started and waited for, on its last stderr line.
# On a shared machine CPU seconds move less with the load than wall seconds do; both are printed.
HWM = ("import atexit, os, sys\n"
       "atexit.register(lambda: sys.stderr.write('\\nVmHWM ' + open('/proc/self/status').read()"
       ".split('VmHWM:')[1].split()[0] + ' ' + str(sum(os.times()[:4])) + '\\n'))\n")


def _tree_kb(pid: int) -> int:
    """The resident memory of a process and all its descendants (kB), from /proc."""
    total, todo = 0, [pid]
    while todo:
        pid = todo.pop()
        try:
            total += int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0])
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):  # ended meanwhile, or a zombie
            continue
    return total


def measure(argv: list[str], env: dict, out: Path | None = None) -> tuple[float, float, str, float]:
    """Whole-process wall seconds, peak RSS (MB, with its workers'), the last stdout line and CPU seconds."""
    stdout = open(out, "wb") if out else subprocess.PIPE
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    tree, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            tree[0] = max(tree[0], _tree_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, error = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if out:
        stdout.close()
    error = error.decode(errors="replace")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, argv[3:]))} exited {proc.returncode}: {error[-2000:]}")
    own = [line.split()[1:] for line in error.splitlines() if line.startswith("VmHWM ")]
    lines = (output or b"").decode(errors="replace").strip().splitlines()
    peak, cpu = (max(int(own[-1][0]), tree[0]) / 1024, float(own[-1][1])) if own else (float("nan"), float("nan"))
    return seconds, peak, lines[-1] if lines else "", cpu


def grid(ledger: Path, *args: str) -> list[str]:
    """`grid --lang zh --ledger LEDGER ...` as a user runs it (python -m grid_cli), reporting its peak memory."""
    return [sys.executable, "-c", HWM + "import runpy; sys.argv[0] = 'grid'; runpy.run_module('grid_cli', run_name='__main__')",
            "--lang", "zh", "--ledger", str(ledger), *args]


def script(code: str, *args) -> list[str]:
    """A floor as its own process; it prints the seconds of the timed part on its last line."""
    return [sys.executable, "-c", HWM + f"sys.path.insert(0, {str(ROOT)!r})\n" + code, *map(str, args)]


FLOOR_MERGE = """
import time
from pathlib import Path
from grid_cli.ledger import Ledger
from grid_cli.sync import merge_bundle
ledger = Ledger.open(Path(sys.argv[1]))
started, cpu0 = time.perf_counter(), time.process_time()
for bundle in sys.argv[2:]:
    merge_bundle(ledger, Path(bundle))
print(time.perf_counter() - started, time.process_time() - cpu0)
"""

# The rules' inputs, read as plain rows: what any assessment has to read.
FLOOR_INPUTS = """
import datetime as dt, os, sqlite3, time
conn = sqlite3.connect(sys.argv[1])
on = dt.date.fromisoformat(os.environ["GRID_TODAY"])
since = (on - dt.timedelta(days=800)).isoformat()
started, cpu0 = time.perf_counter(), time.process_time()
n = 0
for sql, args in (
    ("SELECT id, hh_no, grid, village, group_no, phone, hh_type, category, flags FROM households WHERE status = '正常'", ()),
    ("SELECT * FROM members WHERE status = '正常'", ()),
    ("SELECT e.household_id, e.id, e.date, c.body FROM event_index e JOIN changes c ON c.seq = e.change_seq"
     " WHERE e.kind = 'visit' AND e.date BETWEEN ? AND ?", (since, on.isoformat())),
    ("SELECT e.household_id, e.id, e.kind, e.date, c.body, c.hlc FROM event_index e JOIN changes c"
     " ON c.seq = e.change_seq WHERE e.kind IN ('include','helper','helper_end','measure','measure_end','eliminate')", ())):
    for _row in conn.execute(sql, args):
        n += 1
print(n, time.perf_counter() - started, time.process_time() - cpu0)
"""

# What `risk --json` prints, read from the store: the stored findings of the flagged households, in order.
FLOOR_STORED = """
import sqlite3, time
conn = sqlite3.connect(sys.argv[1])
started, cpu0 = time.perf_counter(), time.process_time()
n = 0
for _row in conn.execute(
        "SELECT h.id, h.hh_no, f.rule, f.severity, f.zh, f.en, f.facts, h.grid, h.village, a.grade FROM findings f"
        " JOIN assessed a ON a.household_id = f.household_id JOIN households h ON h.id = f.household_id"
        " WHERE h.status = '正常' ORDER BY CASE a.grade WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END,"
        " h.village, h.hh_no, h.id, f.n"):
    n += 1
print(n, time.perf_counter() - started, time.process_time() - cpu0)
"""

FLOOR_DUE = """
import datetime as dt, os, sqlite3, time
conn = sqlite3.connect(sys.argv[1])
on = dt.date.fromisoformat(os.environ["GRID_TODAY"])
started, cpu0 = time.perf_counter(), time.process_time()
n = 0
for _row in conn.execute("SELECT h.id, (SELECT max(e.date) FROM event_index e WHERE e.household_id = h.id"
                         " AND e.kind = 'visit' AND e.date <= ?) FROM households h WHERE h.status = '正常'",
                         (on.isoformat(),)):
    n += 1
print(n, time.perf_counter() - started, time.process_time() - cpu0)
"""

# The monthly ledger's floor: the same rows read (households, members), written by openpyxl write-only in
# the same shape (a 台账 row per household and a 家庭成员 row per member, as many columns), unstyled.
FLOOR_LEDGER = """
import sqlite3, time
from openpyxl import Workbook
conn = sqlite3.connect(sys.argv[1])
house_cols, member_cols = int(sys.argv[3]), int(sys.argv[4])
started, cpu0 = time.perf_counter(), time.process_time()
wb = Workbook(write_only=True)
ws = wb.create_sheet("households")
for row in conn.execute("SELECT hh_no, village, grid, phone, hh_type, category, group_no, flags FROM households"
                        " WHERE status = '正常' ORDER BY grid, village, hh_no, id"):
    ws.append((list(row) * 5)[:house_cols])
ws = wb.create_sheet("members")
for row in conn.execute("SELECT name, id_number, relation, sex, birth_date, ethnicity, education, health, labour_skill,"
                        " work_status, work_months FROM members WHERE status = '正常'"):
    ws.append((list(row) * 3)[:member_cols])
wb.save(sys.argv[2])
print(time.perf_counter() - started, time.process_time() - cpu0)
"""


def build_county(folder: Path, grids: int) -> None:
    """Generate the bundles and merge the year into folder/county.db (its own process)."""
    from bench.county import generate
    from grid_cli.sync import create_hub, merge_bundle

    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    summary = generate(folder, grids, HOUSEHOLDS_PER_GRID, MONTHS, GRIDS_PER_TOWNSHIP)
    print(f"  generated {summary['year']:,} changes (+{summary['month']:,} next month), "
          f"{time.perf_counter() - started:.0f}s", flush=True)
    started = time.perf_counter()
    tmp = folder / "building.db"
    ledger = create_hub(tmp, "county", township=None, county="C", codes=summary["townships"], year=2026,
                        year_config={"threshold": 7600})
    for bundle in sorted((folder / "year").glob("*.zip")):
        merge_bundle(ledger, bundle)
    ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ledger.close()
    base = tmp.rename(folder / "county.db")
    print(f"  merged the year into {base} ({base.stat().st_size / 2**30:.2f} GiB), {time.perf_counter() - started:.0f}s",
          flush=True)


def build(work: Path, households: int) -> tuple[Path, list[Path], str]:
    """The county ledger after its first year (kept for reuse), the next month's bundles, and GRID_TODAY."""
    folder = work / f"county-{households}"
    base = folder / "county.db"
    if not base.exists():  # in its own process: the bench itself stays small
        subprocess.run([sys.executable, __file__, "--build", str(folder), str(households // HOUSEHOLDS_PER_GRID)],
                       check=True, cwd=ROOT)
    # the merged month's visits are dated the 10th (as bench/county.py dates them); 26 days on, nobody is overdue
    start = (dt.date.today().replace(day=1) - dt.timedelta(days=31 * (MONTHS + 1))).replace(day=1)
    month = dt.date(start.year + (start.month - 1 + MONTHS) // 12, (start.month - 1 + MONTHS) % 12 + 1, 10)
    return base, sorted((folder / "month").glob("*.zip")), (month + dt.timedelta(days=26)).isoformat()


def copy(base: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(base, target)
    return target


def best(runs: list[tuple]) -> tuple:
    return min(runs, key=lambda r: r[0])


def bench_size(work: Path, households: int, repeat: int, only: set[str] | None = None) -> list[dict]:
    """`only`: of risk, due, ledger, report, the commands measured after the merge (None: all); the merge and the
    first risk after it always run (they make the merged county the others read)."""

    def wanted(name: str) -> bool:
        return only is None or name in only

    base, month_bundles, today = build(work, households)
    env = {**os.environ, "GRID_TODAY": today, "COLUMNS": "100", "PYTHONPATH": str(ROOT)}
    env.pop("GRID_DEBUG", None)
    folder = base.parent
    rows: list[dict] = []

    def add(command: str, timed: tuple, floor_name: str, floor: tuple, target: float | None):
        """timed: a measure() of the command; floor: (wall seconds, CPU seconds) of its timed part."""
        seconds, peak, cpu = timed[0], timed[1], timed[3]
        ratio, cpu_ratio = seconds / floor[0], cpu / floor[1]
        rows.append({"households": households, "command": command, "seconds": round(seconds, 2),
                     "cpu_seconds": round(cpu, 2), "peak_rss_mb": round(peak, 1), "floor": floor_name,
                     "floor_seconds": round(floor[0], 2), "floor_cpu_seconds": round(floor[1], 2),
                     "ratio": round(ratio, 2), "cpu_ratio": round(cpu_ratio, 2), "target": target})
        print(f"  {command:<34} {seconds:8.2f} s {cpu:8.2f} cpu {peak:6.1f} MB | {floor_name:<32} {floor[0]:7.2f} s "
              f"{floor[1]:7.2f} cpu | {ratio:5.2f}x {cpu_ratio:5.2f}x cpu" + (f"  (target <= {target}x)" if target else ""),
              flush=True)

    def floor(code: str, *args) -> tuple[float, float]:
        """The fastest of `repeat` runs of a floor script: (wall, CPU) seconds of its timed part."""
        runs = [measure(script(code, *args), env)[2].split()[-2:] for _ in range(repeat)]
        return min(float(r[0]) for r in runs), min(float(r[1]) for r in runs)

    # sync merge and the first risk --json after it: each on a fresh copy of the county
    merges, floors, colds = [], [], []
    for _ in range(repeat):
        county = copy(base, folder / "work.db")
        merges.append(measure(grid(county, "sync", "merge", *map(str, month_bundles)), env))
        floors.append(measure(script(FLOOR_MERGE, copy(base, folder / "floor.db"), *month_bundles), env)[2].split()[-2:])
        colds.append(measure(grid(county, "risk", "--json"), env, folder / "risk.json"))
    add("sync merge (month bundles)", best(merges), "merge_bundle alone",
        (min(float(f[0]) for f in floors), min(float(f[1]) for f in floors)), 1.3)
    inputs = floor(FLOOR_INPUTS, county)
    add("risk --json (first after merge)", best(colds), "SQL: the rules' inputs", inputs, 2.5)
    if wanted("risk"):
        bench_risk(county, folder, env, repeat, add, floor)
    if wanted("due"):
        bench_due(county, folder, env, repeat, add, floor)
    if wanted("ledger"):
        bench_ledger(county, folder, env, today, repeat, add, floor)
    if wanted("report"):
        bench_report(county, folder, env, today, repeat, add, inputs)
    return rows


def bench_risk(county: Path, folder: Path, env: dict, repeat: int, add, floor) -> None:
    stored = floor(FLOOR_STORED, county)
    add("risk --json (stored findings)", best([measure(grid(county, "risk", "--json"), env, folder / "risk.json")
                                               for _ in range(repeat)]), "SQL: the stored findings", stored, 2.5)
    add("risk (summary by township)", best([measure(grid(county, "risk"), env) for _ in range(repeat)]),
        "SQL: the stored findings", stored, None)
    add("risk --list (plain table)", best([measure(grid(county, "risk", "--list"), env, folder / "risk.txt")
                                           for _ in range(repeat)]), "SQL: the stored findings", stored, None)


def bench_due(county: Path, folder: Path, env: dict, repeat: int, add, floor) -> None:
    due = floor(FLOOR_DUE, county)
    add("due", best([measure(grid(county, "due"), env) for _ in range(repeat)]), "SQL: last visit per household",
        due, 2.5)
    add("due --json", best([measure(grid(county, "due", "--json"), env, folder / "due.json") for _ in range(repeat)]),
        "SQL: last visit per household", due, 2.5)


def bench_ledger(county: Path, folder: Path, env: dict, today: str, repeat: int, add, floor) -> None:
    from grid_cli.exports.monthly import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS

    shape = (len(HOUSEHOLD_COLUMNS) + 1, len(MEMBER_COLUMNS) + 1)  # a county's sheets have the 网格 column
    written = floor(FLOOR_LEDGER, county, folder / "floor.xlsx", *shape)
    this_month = today[:7]
    merged_month = (dt.date.fromisoformat(today) - dt.timedelta(days=26)).isoformat()[:7]
    for month, how in ((merged_month, "past"), (this_month, "stored")):
        if how == "stored" and month == merged_month:
            continue
        add(f"ledger --month {month} ({how})", best([measure(grid(county, "ledger", "--month", month, "--out",
                                                                  str(folder / "ledger.xlsx")), env)
                                                     for _ in range(repeat)]),
            "SELECT + write-only, same shape", written, 1.3)


def bench_report(county: Path, folder: Path, env: dict, today: str, repeat: int, add, inputs) -> None:
    day = dt.date.fromisoformat(today)
    current = (day.year, (day.month - 1) // 3 + 1)
    previous = (current[0] - (current[1] == 1), (current[1] - 2) % 4 + 1)
    for year, q in (previous, current):  # three past month ends judged in one pass; then today's, stored
        quarter = f"{year}Q{q}"
        add(f"report quarter {quarter} --out", best([measure(grid(county, "report", "quarter", quarter, "--out",
                                                                  str(folder / "report.xlsx")), env)
                                                     for _ in range(repeat)]),
            "SQL: the rules' inputs", inputs, 3.0)


def bench_help(repeat: int) -> list[dict]:
    env = {**os.environ, "COLUMNS": "100", "PYTHONPATH": str(ROOT)}
    runs = max(5, 3 * repeat)
    timed = {}
    for name, argv in (("floor", [sys.executable, "-c", HWM + "import typer"]),
                       ("help", [sys.executable, "-c", HWM + "import runpy; sys.argv[1:] = ['--help'];"
                                 " runpy.run_module('grid_cli', run_name='__main__')"])):
        results = [measure(argv, env) for _ in range(runs)]
        timed[name] = (sorted(r[0] for r in results)[runs // 2], sorted(r[3] for r in results)[runs // 2],
                       max(r[1] for r in results))
    (f_wall, f_cpu, _), (wall, cpu, peak) = timed["floor"], timed["help"]
    label = f"--help (median of {runs})"
    print(f"  {label:<34} {wall:8.2f} s {cpu:8.2f} cpu {peak:6.1f} MB | {'python -c import typer':<32} {f_wall:7.2f} s "
          f"{f_cpu:7.2f} cpu | {wall / f_wall:5.2f}x {cpu / f_cpu:5.2f}x cpu  (target <= 1.6x)", flush=True)
    return [{"command": "--help", "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "peak_rss_mb": round(peak, 1),
             "floor": "python -c 'import typer'", "floor_seconds": round(f_wall, 3), "floor_cpu_seconds": round(f_cpu, 3),
             "ratio": round(wall / f_wall, 2), "cpu_ratio": round(cpu / f_cpu, 2), "target": 1.6}]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="50000,150000", help="households per county, comma-separated")
    ap.add_argument("--full", action="store_true", help="also 300,000 households")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the fastest counts")
    ap.add_argument("--work", type=Path, default=Path("/tmp/grid-county-bench"))
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--only", help="of help, risk, due, ledger, report (comma-separated): measure only these after the"
                                   " merge and the first risk, which always run")
    ap.add_argument("--build", nargs=2, metavar=("FOLDER", "GRIDS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build:
        build_county(Path(args.build[0]), int(args.build[1]))
        return
    sizes = [int(x) for x in args.sizes.split(",") if x] + ([300_000] if args.full else [])
    args.work.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "grid_cli")], check=True)  # as installed
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; best of {args.repeat}", flush=True)
    only = set(args.only.split(",")) if args.only else None
    rows = bench_help(args.repeat) if only is None or "help" in only else []
    for n in sizes:
        print(f"{n:,} households", flush=True)
        rows += bench_size(args.work, n, args.repeat, only)
    top = max(r["peak_rss_mb"] for r in rows)
    print(f"peak RSS of every command: at most {top:.0f} MB (target <= 300 MB)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
