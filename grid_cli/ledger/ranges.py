"""Sets of change sequence numbers kept as sorted, disjoint, inclusive (lo, hi) runs, and where a ledger
keeps them (seq_ranges) and how far its own log goes."""

from __future__ import annotations

from typing import Iterable


def runs(seqs: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted unique seqs -> runs. Raises ValueError on a repeated seq."""
    out: list[list[int]] = []
    for seq in seqs:
        if out and seq <= out[-1][1]:
            raise ValueError(seq)
        if out and seq == out[-1][1] + 1:
            out[-1][1] = seq
        else:
            out.append([seq, seq])
    return [(lo, hi) for lo, hi in out]


def union(*sets: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for lo, hi in sorted(pair for s in sets for pair in s):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def minus(ranges: Iterable[tuple[int, int]], taken: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The part of `ranges` not in `taken` (both sorted, disjoint runs)."""
    out = []
    taken = list(taken)
    for lo, hi in ranges:
        for t_lo, t_hi in taken:
            if t_hi < lo or t_lo > hi:
                continue
            if t_lo > lo:
                out.append((lo, t_lo - 1))
            lo = max(lo, t_hi + 1)
            if lo > hi:
                break
        if lo <= hi:
            out.append((lo, hi))
    return out


def above(ranges: Iterable[tuple[int, int]], floor: int) -> list[tuple[int, int]]:
    """The part of the runs strictly above `floor`."""
    return [(max(lo, floor + 1), hi) for lo, hi in ranges if hi > floor]


def contiguous(ranges: list[tuple[int, int]]) -> int:
    """How far the runs cover 1..n without a hole (0 if 1 is missing)."""
    return ranges[0][1] if ranges and ranges[0][0] <= 1 else 0


def gaps(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The holes between 1 and the highest seq held."""
    out, expect = [], 1
    for lo, hi in ranges:
        if lo > expect:
            out.append((expect, lo - 1))
        expect = max(expect, hi + 1)
    return out


class Lookup:
    """Fast membership test for one origin's runs (bundles arrive mostly in order)."""

    def __init__(self, ranges: list[tuple[int, int]]):
        self.los = [lo for lo, _ in ranges]
        self.ranges = ranges
        self.last = None

    def __contains__(self, seq: int) -> bool:
        last = self.last
        if last is not None and last[0] <= seq <= last[1]:
            return True
        from bisect import bisect_right

        i = bisect_right(self.los, seq) - 1
        if i >= 0 and seq <= self.ranges[i][1]:
            self.last = self.ranges[i]
            return True
        return False


# -- runs kept in the ledger (seq_ranges: per origin, what is held and what is covered) -------------
def load_ranges(conn, kind: str, origin: str | None = None) -> dict[str, list[tuple[int, int]]]:
    sql, params = "SELECT origin, lo, hi FROM seq_ranges WHERE kind = ?", [kind]
    if origin is not None:
        sql += " AND origin = ?"
        params.append(origin)
    out: dict[str, list[tuple[int, int]]] = {}
    for o, lo, hi in conn.execute(sql + " ORDER BY origin, lo", params):
        out.setdefault(o, []).append((lo, hi))
    return out


def store_ranges(conn, kind: str, origin: str, runs: list[tuple[int, int]]) -> None:
    conn.execute("DELETE FROM seq_ranges WHERE origin = ? AND kind = ?", (origin, kind))
    conn.executemany("INSERT INTO seq_ranges VALUES (?, ?, ?, ?)", [(origin, kind, lo, hi) for lo, hi in runs])


def own_max(conn, replica: str) -> int:
    return conn.execute("SELECT max(origin_seq) FROM changes WHERE origin = ?", (replica,)).fetchone()[0] or 0
