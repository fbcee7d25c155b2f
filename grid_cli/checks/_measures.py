"""What the assistance checks share: a household's active measures as `kind:detail` texts (ck_h.measure_kinds)."""

from __future__ import annotations


def has_measure(kinds: tuple[str, ...], detail: str | None = None) -> str:
    """SQL: an active measure of one of these kinds (and, if given, whose detail mentions `detail`)."""
    names = " OR ".join(f"value LIKE '{k}:%'" for k in kinds)
    extra = f" AND value LIKE '%{detail}%'" if detail else ""
    return f"EXISTS (SELECT 1 FROM json_each(measure_kinds) WHERE ({names}){extra})"
