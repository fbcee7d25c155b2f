"""A county's month as one workbook per township (`grid ledger --per-township`).

The townships' workbooks are independent, and writing them (openpyxl's XML) is nearly all of the time: a
county of 300,000 households takes about a quarter of an hour in one process. So where there are two
townships or more, worker processes (grid_cli/workers.py, up to MOST) each write whole workbooks, into
temporary files this process made beside the targets. This process renames each into place as it comes
back, in the townships' order, and removes what is left of the others however the run ends (an error,
Ctrl-C). A worker that dies leaves the townships not yet written to this process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from grid_cli.ledger import Ledger

# Unless GRID_WORKERS says otherwise, at most this many workers: one writing a township's workbook holds about
# 70 MB (500 households read at a time), so three, this process (45 MB) and the pool's helper stay under 300 MB.
MOST = 3


@dataclass
class Written:
    township: str
    path: Path
    households: int
    members: int
    grades: dict[str, int]  # red / yellow / green
    visited: int  # households visited this month


def township_ledgers(ledger: Ledger, month: str, folder: Path, names: list[str], *,
                     unmasked: bool = False) -> Iterator[Written]:
    """Write 台账-<month>-<township>.xlsx for each township into `folder` (made if need be), yielding each as it
    is in place."""
    from grid_cli import workers
    from grid_cli.exports.files import check_target

    wanted = workers.setting()  # a bad value is a usage error before the folder is made
    folder.mkdir(parents=True, exist_ok=True)
    targets = [(name, check_target(folder / f"台账-{month}-{name}.xlsx")) for name in names]
    done = 0
    helpers = workers.count(len(targets), MOST if wanted is None else wanted)  # at most one per core
    if helpers:
        _findings_current(ledger, month)  # workers only read the store: it is brought up to date here
        try:
            for written in _in_workers(ledger, month, targets, unmasked, helpers):
                done += 1
                yield written
        except workers.BrokenProcessPool:
            pass  # a worker was killed (out of memory, say): the rest are written here
    for name, target in targets[done:]:
        yield _write(ledger, month, name, target, unmasked)


def _findings_current(ledger: Ledger, month: str) -> None:
    from grid_cli.clock import today
    from grid_cli.exports.snapshot import month_range
    from grid_cli.findings import current

    if month_range(today())[0] == month:
        current(ledger)


def _write(ledger: Ledger, month: str, name: str, target: Path, unmasked: bool) -> Written:
    from grid_cli.exports import write_book
    from grid_cli.exports.monthly import stream_monthly

    result = stream_monthly(ledger, month, township=name, unmasked=unmasked)
    write_book(result.book, target, "xlsx")
    return Written(name, target, *_counts(result.data))


def _counts(data) -> tuple:
    grades = data.tallies["grade"]
    return data.households, data.members, {g: grades[g] for g in ("red", "yellow", "green")}, data.visited


def _in_workers(ledger: Ledger, month: str, targets: list[tuple[str, Path]], unmasked: bool,
                helpers: int) -> Iterator[Written]:
    from grid_cli import workers
    from grid_cli.exports.files import temporary, write_failed

    temporaries: list[Path] = []

    def items() -> Iterator[tuple]:
        for name, target in targets:  # made as sent (at most two per worker ahead), so few wait on disk
            fd, tmp = temporary(target)
            temporaries.append(tmp)  # before anything else, so a Ctrl-C here leaves nothing behind
            os.close(fd)
            yield month, name, str(tmp), str(target), unmasked

    try:
        with workers.Pool(helpers, _worker_setup, (str(ledger.path),)) as pool:
            for n, counts in enumerate(pool.ordered(_worker_write, items())):
                name, target = targets[n]
                try:
                    os.replace(temporaries[n], target)
                except OSError as error:
                    raise write_failed(error, target) from None
                yield Written(name, target, *counts)
    finally:
        for tmp in temporaries:
            tmp.unlink(missing_ok=True)


_WORKER: dict = {}  # a worker process's ledger (workers.py)


def _worker_setup(path: str) -> None:
    _WORKER["ledger"] = Ledger.read_only(path)


def _worker_write(item: tuple) -> tuple:
    from grid_cli.exports.files import write_failed
    from grid_cli.exports.monthly import stream_monthly
    from grid_cli.exports.xlsx import save_xlsx

    month, name, tmp, target, unmasked = item
    result = stream_monthly(_WORKER["ledger"], month, township=name, unmasked=unmasked, worker=True)
    try:
        save_xlsx(result.book, Path(tmp))
    except OSError as error:  # a full disk: the one line the user would get from this process
        raise write_failed(error, Path(target)) from None
    return _counts(result.data)
