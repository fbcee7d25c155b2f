"""Time: hybrid logical clocks for the change log, time-ordered ids, and today's date.

An HLC stamp is `"<13-digit unix ms>.<5-digit counter>"`: it sorts as text, never runs backwards on one
replica even if the laptop's clock does, and moves past any stamp received from another replica, so
(stamp, replica id) totally orders every change ever made (DESIGN.md, sync).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
import uuid


def wall_ms() -> int:
    return int(time.time() * 1000)


def format_hlc(ms: int, counter: int) -> str:
    return f"{ms:013d}.{counter:05d}"


def parse_hlc(stamp: str) -> tuple[int, int]:
    ms, counter = stamp.split(".")
    return int(ms), int(counter)


class HLC:
    def __init__(self, last: str | None = None):
        self.ms, self.counter = parse_hlc(last) if last else (0, 0)

    def tick(self) -> str:
        now = wall_ms()
        if now > self.ms:
            self.ms, self.counter = now, 0
        else:
            self.counter += 1
        return format_hlc(self.ms, self.counter)

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen from another replica, so our next tick sorts after it."""
        ms, counter = parse_hlc(stamp)
        if (ms, counter) > (self.ms, self.counter):
            self.ms, self.counter = ms, counter

    @property
    def last(self) -> str:
        return format_hlc(self.ms, self.counter)


def new_id() -> str:
    """A UUIDv7-style id: 48 bits of unix ms then random bits, so ids sort by creation time."""
    value = (wall_ms() & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def parse_time(text: str) -> dt.datetime:
    """An ISO time as stored in the ledger or a bundle; a naive one is taken as UTC. Raises ValueError."""
    value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


# People read and type times in their own zone (a township office at 16:29 Beijing time types 16:29);
# the ledger and bundles store UTC. These two are the only crossings.

def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def parse_local_time(text: str) -> dt.datetime:
    """A time a person typed: '2026-11-28 15:29', '2026-11-28T15:29:00', with or without a zone.
    Without one it is the computer's local time. Returns an aware datetime. Raises ValueError."""
    value = dt.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.astimezone()  # naive -> local zone of this computer


def show_time(value: str | dt.datetime | None, *, seconds: bool = True) -> str:
    """A stored time as a person reads it: local time with its UTC offset, '2026-11-28 16:29:03 +08:00'."""
    if value is None or value == "":
        return ""
    when = parse_time(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    local = when.astimezone()
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + f" {offset[:3]}:{offset[3:]}"


def today() -> dt.date:
    """Today's date; GRID_TODAY=YYYY-MM-DD pins it (used by the demo and tests of date rules)."""
    pinned = os.environ.get("GRID_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()
