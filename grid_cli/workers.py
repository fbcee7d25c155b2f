"""Judging a county's batches in worker processes.

A county's first assessment after a month's merge, and the quarterly report, spend most of their time in
the rules, which are Python: about four times the SQL that feeds them (bench/county_commands.py). Batches
are independent, so worker processes give close to one core's worth of speed each, while the rules stay
the one definition of a finding. Memory is still set by the batch: each worker holds one at a time.

- Only the parent writes. A worker opens the ledger read-only, reads and judges the batches the parent
  sends it, and returns plain rows.
- Processes are spawned on every platform: Windows has nothing else, and a fork would copy an open
  SQLite connection, which SQLite forbids.
- Workers ignore Ctrl-C. The parent gets it, and leaving the pool ends them.
- `GRID_WORKERS=N` sets their number (0 or 1: none, everything in the one process). Unset: one per core,
  at most MAX, and none for fewer than MIN_BATCHES of the caller's batches, since starting one costs about
  0.3 s.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator

from grid_cli.errors import UsageError

MAX = 4
MIN_BATCHES = 3
# A worker's batch: at most this many households (fewer when the caller's batches are smaller). A worker
# holding 500 is about 50 MB, so four and the parent stay under 300 MB (2,000: about 85 MB each).
BATCH = 500

__all__ = ["BrokenProcessPool", "Pool", "count"]


def setting() -> int | None:
    """GRID_WORKERS as a number, None when unset; a caller reads it before it changes anything."""
    text = os.environ.get("GRID_WORKERS", "").strip()
    if text and not text.isdigit():
        raise UsageError(f"GRID_WORKERS 应为非负整数，而不是 {text!r}", f"GRID_WORKERS must be a whole number, not {text!r}",
                         hint_zh="例如 GRID_WORKERS=2；0 表示不用子进程", hint_en="e.g. GRID_WORKERS=2; 0 means no worker processes")
    return int(text) if text else None


def count(batches: int, wanted: int | None = None) -> int:
    """How many workers for this many batches (`wanted`: setting(), read now if not given); 0 means judge in
    this process."""
    wanted = setting() if wanted is None else wanted
    if wanted is None:
        wanted = min(os.cpu_count() or 1, MAX) if batches >= MIN_BATCHES else 0
    wanted = min(wanted, batches)
    return wanted if wanted >= 2 else 0


def _start(setup: Callable, args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    setup(*args)


class Pool:
    """`with Pool(n, setup, args) as pool: for result in pool.ordered(work, items): ...` — each worker runs
    `setup(*args)` once, then `work(item)` for the items it is sent; results come back in the items' order,
    with at most two items per worker in flight (so the parent's reading keeps pace, and memory stays set)."""

    def __init__(self, workers: int, setup: Callable, args: tuple):
        self.workers = workers
        self._executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start, initargs=(setup, args))

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, kind, *_exc) -> None:
        # after an error or Ctrl-C the queued items are dropped; the batches in hand finish and are discarded
        self._executor.shutdown(wait=True, cancel_futures=kind is not None)

    def submit(self, work: Callable, *args) -> Future:
        """One task beside the items (the report's data-quality catalogue); it takes one worker while it runs."""
        return self._executor.submit(work, *args)

    def ordered(self, work: Callable[[Any], Any], items: Iterable) -> Iterator:
        pending: deque[Future] = deque()
        try:
            for item in items:
                pending.append(self._executor.submit(work, item))
                if len(pending) >= 2 * self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
