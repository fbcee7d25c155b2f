"""What the school-stage age checks share: a stage (from the catalogue's facts of 在校生状况) outside an age band."""

from __future__ import annotations


def outside(stages: tuple[str, ...], low: int | None, high: int | None, extra: str = "") -> str:
    """SQL: a member at one of these stages whose age is below `low` or above `high`."""
    names = ", ".join(f"'{s}'" for s in stages)
    bounds = " OR ".join(b for b in (f"age < {int(low)}" if low is not None else "",
                                     f"age > {int(high)}" if high is not None else "") if b)
    return f"stage IN ({names}) AND age IS NOT NULL AND ({bounds}){extra}"


def message(row, low: int | None, high: int | None):
    band = f"{low if low is not None else ''}–{high if high is not None else ''}"
    return (f"{row['name']}（{row['age']}岁）在校生状况为{row['school_status']}，年龄应在 {band} 岁",
            f"{row['name']} ({row['age']}) is recorded as {row['school_status']}: the age should be {band}", {"age": row["age"]})
