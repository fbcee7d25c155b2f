"""JSON decoding, fast for the county-scale paths (rule evaluation, merging bundles) and safe for every
text the tool reads: visit files, rule files, key and enrolment files, bundle manifests and lines.

orjson decodes our change lines and visit records about 1.6× faster than the standard library, which
at 150,000 households is seconds. It is installed where it ships wheels; elsewhere (e.g. 32-bit
Windows) the standard library does the same job and gives the same result. orjson refuses a few texts
that are valid JSON (a lone surrogate escape, NaN); such a text falls back to the standard library.

Whatever the text, `loads` and `document` return a value or raise `json.JSONDecodeError` (a
ValueError), so a reader's one `except` gives the user one line: nesting too deep for the stack
(RecursionError) and an integer of more than 4,300 digits (a plain ValueError) never escape. `loads`
reads what a ledger may already hold (SQLite's JSON validator takes a lone surrogate escape and a
30-digit integer), and an integer of more than 4,300 digits as infinity. `document`, for what
comes from outside, refuses what cannot be stored, printed or compared: a lone surrogate, an integer
outside SQLite's 64 bits (a manifest range up to 2**63), NaN and infinities.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

try:
    from orjson import loads as _fast
except ImportError:  # pragma: no cover - depends on the platform
    _fast = None

INT64 = (-(1 << 63), (1 << 63) - 1)  # what SQLite holds as an integer
_LONE = re.compile(r"[\ud800-\udfff]")


class Refused(json.JSONDecodeError):
    """A text that is JSON in form but holds what grid cannot keep (see the module's note)."""

    def __init__(self, why: str):
        ValueError.__init__(self, why)
        self.msg, self.doc, self.pos, self.lineno, self.colno = why, "", 0, 1, 1

    def __reduce__(self):  # JSONDecodeError's would call __init__ with three arguments (workers.py)
        return Refused, (self.msg,)


def _int(text: str) -> int | float:
    """An integer, exactly, up to the 4,300 digits Python converts; beyond, a float (infinity), not an error."""
    return int(text) if len(text) <= 4300 else float(text)


def loads(text: str | bytes) -> Any:
    """The decoded value of a JSON text, or json.JSONDecodeError."""
    if _fast is not None:
        try:
            return _fast(text)
        except ValueError:
            pass
    try:
        return json.loads(text, parse_int=_int)
    except RecursionError:
        raise Refused("nested too deeply") from None
    except json.JSONDecodeError:
        raise
    except (ValueError, TypeError) as error:  # not UTF-8 bytes, and the like
        raise Refused(str(error)) from None


MAX_DEPTH = 512  # no document of ours nests past a handful; the walk below must not meet the recursion limit


def _unkeepable(value: Any, depth: int = 0) -> str | None:
    """Why `value` cannot be kept (see the module's note), or None."""
    if depth > MAX_DEPTH:
        return "nested too deeply"
    kind = type(value)
    if kind is str:
        return "text that is not UTF-8 (a lone surrogate)" if _LONE.search(value) else None
    if kind is int:
        return None if INT64[0] <= value <= INT64[1] else "an integer too large"
    if kind is float:
        return None if math.isfinite(value) else "a number too large, or not a number"  # NaN, Infinity, 1e400
    if kind is dict:
        return next((why for k, v in value.items() for why in (_unkeepable(k), _unkeepable(v, depth + 1)) if why), None)
    if kind is list:
        return next((why for v in value for why in (_unkeepable(v, depth + 1),) if why), None)
    return None


def document(text: str | bytes) -> Any:
    """`loads` for a document from outside (a visit, rule, key or enrolment file, a bundle manifest): small,
    so it is also walked for what cannot be stored, printed or compared (the module's note)."""
    value = loads(text)
    why = _unkeepable(value)
    if why:
        raise Refused(why)
    return value


__all__ = ["loads", "document", "Refused", "INT64"]
