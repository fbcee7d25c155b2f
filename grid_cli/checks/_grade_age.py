"""What the school-stage age checks share: a stage (from the catalogue's facts of 在校生状况) outside an age band."""

from __future__ import annotations

from typing import Iterator

from grid_cli.checks.base import Problem, problem


def outside(facts, check_id: str, stages: tuple[str, ...], low: int | None, high: int | None, extra: str = "") -> Iterator[Problem]:
    names = ", ".join(f"'{s}'" for s in stages)
    bounds = " OR ".join(b for b in (f"age < {int(low)}" if low is not None else "",
                                     f"age > {int(high)}" if high is not None else "") if b)
    band = f"{low if low is not None else ''}–{high if high is not None else ''}"
    for m in facts.members(f"stage IN ({names}) AND age IS NOT NULL AND ({bounds}){extra}"):
        yield problem(check_id, m, f"{m['name']}（{m['age']}岁）在校生状况为{m['school_status']}，年龄应在 {band} 岁",
                      f"{m['name']} ({m['age']}) is recorded as {m['school_status']}: the age should be {band}",
                      age=m["age"])
