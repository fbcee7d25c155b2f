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
- `GRID_WORKERS=N` sets their number, at most one per core (0 or 1: none, everything in the one process).
  Unset: one per core, at most MAX, and none for fewer than MIN_BATCHES of the caller's batches, since
  starting one costs about 0.3 s.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
from collections import deque
from contextlib import contextmanager
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterator

from grid_cli.errors import UsageError
from grid_cli.i18n import lang, set_lang

MAX = 4
MIN_BATCHES = 3
# A worker's batch: at most this many households (fewer when the caller's batches are smaller). A worker
# holding 500 is about 50 MB, so four and the parent stay under 300 MB (2,000: about 85 MB each).
BATCH = 500

__all__ = ["BrokenProcessPool", "Pool", "Unavailable", "count", "setting"]


def setting() -> int | None:
    """GRID_WORKERS as a number, None when unset; a caller reads it before it changes anything."""
    text = os.environ.get("GRID_WORKERS", "").strip()
    if text and not (text.isascii() and text.isdigit()):
        raise UsageError(f"GRID_WORKERS 应为非负整数，而不是 {text!r}", f"GRID_WORKERS must be a whole number, not {text!r}",
                         hint_zh="例如 GRID_WORKERS=2；0 表示不用子进程", hint_en="e.g. GRID_WORKERS=2; 0 means no worker processes")
    return int(text) if text else None


def count(batches: int, wanted: int | None = None) -> int:
    """How many workers for this many batches (`wanted`: setting(), read now if not given); 0 means judge in
    this process."""
    wanted = setting() if wanted is None else wanted
    cores = os.cpu_count() or 1
    if wanted is None:
        wanted = min(cores, MAX) if batches >= MIN_BATCHES else 0
    wanted = min(wanted, batches, cores)  # more than the cores would only add memory (about 50 MB each)
    return wanted if wanted >= 2 else 0


class Unavailable(BrokenProcessPool):
    """A worker could not start its work (say, open the ledger a second time): the caller judges alone."""


_FAILED: list = []  # in a worker: why its setup failed


def _start(setup: Callable, args: tuple, language: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _leave_with_parent()
    set_lang(language)  # the parent's (`--lang` is not in the environment a worker starts with)
    try:
        setup(*args)
    except Exception as error:  # said by each task instead, without a traceback on the user's screen
        _FAILED.append(f"{type(error).__name__}: {error}")


def _leave_with_parent() -> None:
    """End this worker when its parent ends, however it ends (killed, or a `timeout`): an orphan would hold
    the ledger's files open, and the parent's stdout with them."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (parent.join(), os._exit(1)), daemon=True).start()


def _run(work: Callable, item: Any) -> Any:
    if _FAILED:
        raise Unavailable(_FAILED[0])
    try:
        return work(item)
    except BaseException as error:  # what cannot cross back whole would break the pool: send its words
        try:
            pickle.loads(pickle.dumps(error))
        except Exception:
            raise RuntimeError(f"{type(error).__name__}: {error}") from None
        raise


def _ready() -> None:
    """A task that only makes the pool start a worker."""


@contextmanager
def _no_interrupt() -> Iterator[None]:
    """Ctrl-C ignored for a moment (the main thread only has signals). A worker started meanwhile starts
    with it ignored (POSIX keeps an ignored signal across exec, and Python then installs no handler), so
    Ctrl-C while it imports prints no traceback; and a second Ctrl-C cannot interrupt the pool's shutdown,
    which in Python before 3.12 can leave it waiting for ever (CPython issue 90882)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)


class Pool:
    """`with Pool(n, setup, args) as pool: for result in pool.ordered(work, items): ...` — each worker runs
    `setup(*args)` once, then `work(item)` for the items it is sent; results come back in the items' order,
    with at most two items per worker in flight (so the parent's reading keeps pace, and memory stays set)."""

    def __init__(self, workers: int, setup: Callable, args: tuple):
        self.workers = workers
        self._executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start, initargs=(setup, args, lang()))
        with _no_interrupt():
            try:
                for _ in range(workers):  # start them all now, with Ctrl-C ignored
                    self._executor.submit(_ready)
            except Exception as error:  # no process could be started (too many open files, say)
                self._stop()
                raise Unavailable(f"{type(error).__name__}: {error}") from None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, kind, *_exc) -> None:
        with _no_interrupt():
            if kind is None:
                self._executor.shutdown(wait=True)
            else:  # an error or Ctrl-C: what the workers hold is not wanted; they only read
                self._stop()

    def _stop(self) -> None:
        """End the workers now. The executor's private parts are used with care: a worker killed while it
        sent a result leaves the pool's reader waiting for the rest, for ever, unless the pipe's other end
        (which the parent holds too) is closed (Python 3.10-3.13)."""
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        for process in processes:
            process.kill()
        for process in processes:
            process.join()
        writer = getattr(getattr(self._executor, "_result_queue", None), "_writer", None)
        if writer is not None:
            writer.close()
        self._executor.shutdown(wait=True)

    def submit(self, work: Callable, *args) -> Future:
        """One task beside the items (the report's data-quality catalogue); it takes one worker while it runs."""
        return self._executor.submit(_run, _Call(work, args), None)

    def ordered(self, work: Callable[[Any], Any], items: Iterator) -> Iterator:
        """`items` is closed when this ends, however it ends (a generator over an SQL cursor: its statement
        must not stay open in the parent after an error)."""
        pending: deque[Future] = deque()
        try:
            for item in items:
                pending.append(self._executor.submit(_run, work, item))
                if len(pending) >= 2 * self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:  # the pending futures are left to the pool's shutdown: cancelling them here races its
            # manager thread, which then fails on a cancelled future and leaves the shutdown waiting (3.11)
            close = getattr(items, "close", None)
            if close is not None:
                close()


class _Call:
    """work(*args) as a picklable task for _run (which passes it one item, None)."""

    def __init__(self, work: Callable, args: tuple):
        self.work, self.args = work, args

    def __call__(self, _item: Any) -> Any:
        return self.work(*self.args)
