"""JSON decoding for the county-scale paths (rule evaluation, merging bundles).

orjson decodes our change lines and visit records about 1.6× faster than the standard library, which
at 150,000 households is seconds. It is installed where it ships wheels; elsewhere (e.g. 32-bit
Windows) the standard library does the same job and gives the same result. orjson refuses a few texts
that are valid JSON (a lone surrogate escape, an integer beyond 64 bits); a merge checks bodies with
SQLite's JSON validator, which takes them, so such a text falls back to the standard library here
rather than failing whoever reads it later.
"""

from __future__ import annotations

import json
from typing import Any

try:
    from orjson import loads as _fast
except ImportError:  # pragma: no cover - depends on the platform
    _fast = None


def loads(text: str | bytes) -> Any:
    if _fast is not None:
        try:
            return _fast(text)
        except ValueError:
            pass
    return json.loads(text)


__all__ = ["loads"]
