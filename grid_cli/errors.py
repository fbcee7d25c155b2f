"""Typed errors. The core raises these; `cli.main()` maps each to one line and an exit code.

Exit codes (documented in the README):
  0  ok
  1  findings present, or the request was refused (e.g. a bundle or import rejected)
  2  usage: a bad option, argument or answer
  3  environment / config / data: no ledger, unreadable file, corrupt input
  4  internal error (a bug): rerun with GRID_DEBUG=1 for the traceback
"""

from __future__ import annotations

OK, REFUSED, USAGE, DATA, INTERNAL = 0, 1, 2, 3, 4


class GridError(Exception):
    """A user-facing error: a message in both languages and a hint of what to do."""

    exit_code = DATA

    def __init__(self, zh: str, en: str | None = None, *, hint_zh: str = "", hint_en: str = ""):
        super().__init__(en or zh)
        self.zh, self.en = zh, en or zh
        self.hint_zh, self.hint_en = hint_zh, hint_en or hint_zh

    def message(self, lang: str) -> str:
        text, hint = (self.zh, self.hint_zh) if lang == "zh" else (self.en, self.hint_en)
        return f"{text} — {hint}" if hint else text


class UsageError(GridError):
    """The command was given something it cannot use (bad ID, future date, negative income...)."""

    exit_code = USAGE


class DataError(GridError):
    """A file or ledger is missing, unreadable or corrupt."""

    exit_code = DATA


class Refused(GridError):
    """The input was understood but refused as a whole (an import with bad rows, a foreign bundle)."""

    exit_code = REFUSED


class NotFound(UsageError):
    """No household or member matches what was asked for."""


class Malformed(AssertionError):
    """A document read from outside (a bundle manifest, a key or enrolment file) lacks a field or has a wrong
    one. Raised by `require`; each reader turns it into its own one-line GridError."""


def require(ok: object) -> None:
    """`assert` for input checks: unlike `assert`, it still checks under `python -O`."""
    if not ok:
        raise Malformed()
