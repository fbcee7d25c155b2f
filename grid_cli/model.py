"""The domain model: a household's members, its visits, its measures and its standing in the monitoring
lifecycle, as plain values read from the ledger. Rules (rules/base.Context), the lifecycle, visits and the
exports all take them from here.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator


@dataclass(slots=True)
class Member:
    id: str
    name: str
    relation: str | None
    birth_date: dt.date | None
    health: str | None = None
    chronic_card: bool | None = None
    labour_skill: str | None = None
    work_status: str | None = None
    school_status: str | None = None
    dropout_reason: str | None = None
    medical_insurance: bool | None = None
    dibao: bool | None = None
    tekun: bool | None = None
    resident: bool = True
    employee_medical_insurance: bool | None = None  # 城镇职工基本医疗保险 (national member export)

    def age(self, on: dt.date) -> int | None:
        if not self.birth_date:
            return None
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def one_year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def per_capita(net: int, residents: int) -> int:
    """家庭人均纯收入 in whole yuan, rounded half up. Rules compare `net` with threshold × residents
    exactly, so this rounding is only for display."""
    return (2 * net + residents) // (2 * residents) if residents > 0 else net


@dataclass(slots=True)
class Visit:
    id: str
    date: dt.date
    residents: int
    wages: int = 0
    business: int = 0
    property_income: int = 0
    transfer: int = 0
    production_costs: int = 0
    medical: int = 0
    other_rigid: int = 0
    house_grade: str | None = None
    water: dict[str, Any] = field(default_factory=dict)
    events: tuple[dict, ...] = ()
    followup: bool = False  # a 回头看 visit to an eliminated household

    @property
    def gross(self) -> int:
        return self.wages + self.business + self.property_income + self.transfer

    @property
    def net(self) -> int:
        return self.gross - self.production_costs

    @property
    def per_capita(self) -> int:
        return per_capita(self.net, self.residents)

    @property
    def rigid(self) -> int:
        return self.medical + self.other_rigid


class Visits(Sequence):
    """One household's visits, oldest first, each decoded from its stored row the first time it is read.

    Most rules read only the latest visit or two, or the visits of a few months: at county scale, decoding
    every visit of the look-back was most of an assessment's time. `dates` are known without decoding, so
    `between`, `since` and `until` pick visits by date and decode only those read. Views share one list:
    a visit is decoded once, whichever view reads it. Built from Visit values (`Visits.of`) it is a plain
    sequence; equal to any sequence of the same visits.

    `lacks(row, name)` says a stored row certainly has no value for the field `name` (`latest` skips it
    undecoded); it may answer False when unsure, never True wrongly."""

    __slots__ = ("dates", "_items", "_start", "_decode", "_lacks")

    def __init__(self, dates: list[dt.date], items: list, decode: Callable[[Any], Visit] | None = None,
                 lacks: Callable[[Any, str], bool] | None = None, start: int = 0):
        self.dates = dates  # this view's visit dates, oldest first
        self._items = items  # shared by the views: stored rows, each replaced by its Visit once decoded
        self._start = start
        self._decode = decode
        self._lacks = lacks

    @classmethod
    def of(cls, visits) -> Visits:
        items = list(visits)
        return cls([v.date for v in items], items)

    def __len__(self) -> int:
        return len(self.dates)

    def __getitem__(self, i):
        if isinstance(i, slice):
            a, b, step = i.indices(len(self.dates))
            if step == 1:
                return self._view(a, max(a, b))
            return tuple(self[j] for j in range(a, b, step))
        n = len(self.dates)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("visit index out of range")
        item = self._items[self._start + i]
        if type(item) is not Visit:
            item = self._items[self._start + i] = self._decode(item)
        return item

    def __iter__(self) -> Iterator[Visit]:
        return (self[i] for i in range(len(self.dates)))

    def __reversed__(self) -> Iterator[Visit]:
        return (self[i] for i in range(len(self.dates) - 1, -1, -1))

    def __eq__(self, other) -> bool:
        return isinstance(other, (Visits, tuple, list)) and tuple(self) == tuple(other)

    def __repr__(self) -> str:
        return f"Visits({list(self)!r})"

    def _view(self, a: int, b: int) -> Visits:
        return Visits(self.dates[a:b], self._items, self._decode, self._lacks, self._start + a)

    def latest(self, name: str) -> Visit | None:
        """The latest visit that recorded `name` (a Visit field: house_grade, water, followup), or None."""
        for i in range(len(self.dates) - 1, -1, -1):
            item = self._items[self._start + i]
            if type(item) is not Visit and self._lacks is not None and self._lacks(item, name):
                continue
            visit = self[i]
            if getattr(visit, name):
                return visit
        return None

    def between(self, first: dt.date, last: dt.date) -> Visits:
        """The visits dated from `first` to `last`, both included."""
        return self._view(bisect_left(self.dates, first), bisect_right(self.dates, last))

    def since(self, first: dt.date) -> Visits:
        """The visits dated on or after `first`."""
        return self._view(bisect_left(self.dates, first), len(self.dates))

    def until(self, last: dt.date) -> Visits:
        """The visits dated on or before `last`."""
        return self._view(0, bisect_right(self.dates, last))


@dataclass(frozen=True)
class Measure:
    id: str
    kind: str
    start: dt.date | None
    end: dt.date | None = None
    amount: int | None = None
    due: dt.date | None = None
    detail: str = ""
    extensions: int = 0  # 续贷 / 展期 recorded on a loan


# Where a case stands (DOMAIN.md, "Who decides what"): a proposal waits for the township's review and the
# county's approval; only then is a household monitored, or its risk eliminated.
PENDING_REVIEW, PENDING_APPROVAL, MONITORED, PROPOSED_ELIMINATION, ELIMINATED = (
    "待审核", "待审定", "监测中", "拟消除", "风险已消除")
STATE_EN = {PENDING_REVIEW: "pending township review", PENDING_APPROVAL: "pending county approval",
            MONITORED: "monitored", PROPOSED_ELIMINATION: "elimination proposed", ELIMINATED: "risk eliminated", "": ""}


@dataclass(frozen=True)
class Case:
    """A proposal (inclusion or elimination) and the steps recorded on it, in the order of the procedure."""

    id: str
    stage: str                          # include | eliminate
    proposed: dt.date | None
    data: dict = field(default_factory=dict, compare=False)
    village_review: dt.date | None = None
    notice: dt.date | None = None
    notice_days: int | None = None
    township: dict | None = None        # {"date", "decision": pass|return, "reason"}
    county: dict | None = None          # {"date", "decision": approve|return, "reason"}
    imported: bool = False              # taken from the national system's export

    @property
    def notice_end(self) -> dt.date | None:
        """The last day of the notice period."""
        return self.notice + dt.timedelta(days=self.notice_days - 1) if self.notice and self.notice_days else None


@dataclass(frozen=True)
class Monitoring:
    """Where the household stands in the lifecycle (DOMAIN.md), as read from its events. `monitored` and
    `eliminated` count approved decisions only; a proposal waiting for review is `case`, with its `state`."""

    monitored: bool = False
    category: str | None = None
    risks: tuple[str, ...] = ()
    identified: dt.date | None = None
    eliminated: bool = False
    eliminated_month: str | None = None
    elimination_method: str | None = None
    helpers: tuple[dict, ...] = ()  # active 帮扶责任人
    measures: tuple[Measure, ...] = ()  # active measures
    measures_ever: int = 0
    state: str = ""                 # 待审核 | 待审定 | 监测中 | 拟消除 | 风险已消除 | "" (never included)
    case: Case | None = None        # the open proposal, if any
    eliminated_on: dt.date | None = None  # the day the elimination was approved (or imported)
    returned: dict | None = None    # the latest 退回: {"stage", "level", "date", "reason"}
    decisions: tuple[dict, ...] = ()  # every decision that took effect, oldest first (see lifecycle.standing)
