"""Startup cost of `grid --help`, against the floor of importing typer, in the same run.

    python bench/startup.py [-n RUNS]

Whole-process wall time (subprocess, this same python), median of N runs each:
  floor:  python -c "import typer"
  grid:   python -m grid_cli --help
Then which heavy modules `grid --help` imports: the design wants openpyxl, sqlite_utils, pydantic,
dateutil (and nacl) imported only by the commands that need them. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

HEAVY = ("openpyxl", "sqlite_utils", "pydantic", "dateutil", "nacl", "platformdirs", "markdown_it")


def wall(argv: list[str], runs: int) -> float:
    env = {**os.environ, "COLUMNS": "80"}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


PROBE = """
import runpy, sys
sys.argv = ["grid", "--help"]
try:
    runpy.run_module("grid_cli", run_name="__main__")
except SystemExit:
    pass
heavy = %r
loaded = sorted(m for m in heavy if m in sys.modules)
sys.__stderr__.write("LOADED " + ",".join(loaded) + "\\n")
sys.__stderr__.write("COUNT %%d\\n" %% len(sys.modules))
"""


def loaded_modules() -> tuple[list[str], int]:
    out = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,)], capture_output=True, text=True, check=True)
    lines = dict(line.split(" ", 1) for line in out.stderr.splitlines() if line.startswith(("LOADED", "COUNT")))
    return [m for m in lines.get("LOADED", "").strip().split(",") if m], int(lines["COUNT"])


def importtime_top(limit: int = 8) -> list[tuple[int, str]]:
    """The slowest top-level imports of `grid --help` by cumulative time (python -X importtime)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "grid_cli", "--help"], capture_output=True,
                         text=True, env={**os.environ, "COLUMNS": "80"})
    rows = []
    for line in out.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].rstrip()
        if name.startswith(" ") and not name.startswith("  "):  # a top-level import (one space of indent)
            rows.append((int(parts[1]), name.strip()))
    return sorted(rows, reverse=True)[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15)
    args = parser.parse_args()
    floor = wall([sys.executable, "-c", "import typer"], args.runs)
    grid = wall([sys.executable, "-m", "grid_cli", "--help"], args.runs)
    print(f"python: {sys.executable} ({sys.version.split()[0]}), median of {args.runs} runs each")
    print(f"  floor  python -c 'import typer'       {floor * 1000:7.1f} ms")
    print(f"  grid   python -m grid_cli --help      {grid * 1000:7.1f} ms")
    print(f"  ratio  grid / floor                   {grid / floor:7.2f}x   (+{(grid - floor) * 1000:.1f} ms)")
    loaded, total = loaded_modules()
    print(f"heavy modules imported by `grid --help`: {', '.join(loaded) if loaded else 'none'}"
          f"  (of {', '.join(HEAVY)}; {total} modules in all)")
    print("slowest top-level imports (cumulative µs, python -X importtime):")
    for micros, name in importtime_top():
        print(f"  {micros:9d}  {name}")


if __name__ == "__main__":
    main()
