"""What the department lists say about each household, as the rules read it: one loader over the `dept`
and `dept_review` events (a few per household at most, read in one query).

Per household and per department, only the latest list's rows about a person (or the household) count:
a newer 医保 list that shows a person enrolled replaces an older one that did not. Out-of-pocket bills are
the exception: each bill of the last `BILL_MONTHS` months counts. A row withdrawn by a replacing list, or
dismissed at a visit, is dropped; a row confirmed at a visit carries that visit (the link is kept).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from grid_cli.dept import EVENT, REVIEW
from grid_cli.ledger import Ledger

BILL_MONTHS = 12


@dataclass(frozen=True)
class Review:
    verdict: str  # confirmed | dismissed
    visit: str | None  # the visit's event id
    date: str  # the visit's date
    note: str = ""


@dataclass(frozen=True)
class DeptFact:
    ref: str  # the `dept` event's id
    kind: str
    month: str  # the list's month
    member_id: str | None  # None: the row names only the household
    facts: dict[str, Any] = field(default_factory=dict)
    review: Review | None = None

    @property
    def short(self) -> str:
        """How people name a row in `grid dept confirm|dismiss`: the first 8 characters of its id."""
        return self.ref[:8]


def _months_before(on: dt.date, months: int) -> str:
    index = on.year * 12 + on.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def fold(rows: Iterable[tuple], on: dt.date) -> dict[str, tuple[DeptFact, ...]]:
    """rows: (household_id, event id, kind, date, data as JSON text) in (household, date, hlc) order."""
    by_household: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_household[row[0]].append(row)
    out = {}
    oldest_bill = _months_before(on, BILL_MONTHS)
    for household, events in by_household.items():
        found: dict[str, DeptFact] = {}
        reviews: dict[str, Review] = {}
        gone: set[str] = set()
        for _h, event_id, kind, date, text in events:
            data = json.loads(text)
            if kind == REVIEW:
                if _texts(data.get("ref"), data.get("verdict")):
                    reviews[data["ref"]] = Review(data["verdict"], data.get("visit") if isinstance(data.get("visit"), str)
                                                  else None, date or "", str(data.get("note") or ""))
            elif "withdraws" in data:
                if _texts(data["withdraws"]):
                    gone.add(data["withdraws"])
            elif _texts(data.get("kind"), data.get("month")) and isinstance(data.get("facts"), dict) \
                    and (data.get("member") is None or isinstance(data.get("member"), str)):
                # (a bundle from an enrolled laptop can still be hostile: an event of another shape is ignored)
                found[event_id] = DeptFact(event_id, data["kind"], data["month"], data.get("member"), data["facts"])
        latest: dict[tuple[str, str], str] = {}
        for f in found.values():
            if f.ref not in gone:
                subject = (f.kind, f.member_id or "")
                latest[subject] = max(latest.get(subject, ""), f.month)
        kept = []
        for f in found.values():
            review = reviews.get(f.ref)
            if f.ref in gone or (review and review.verdict == "dismissed"):
                continue
            bill = f.kind == "medical" and "out_of_pocket" in f.facts
            if f.month == latest[(f.kind, f.member_id or "")] or (bill and f.month >= oldest_bill):
                kept.append(DeptFact(f.ref, f.kind, f.month, f.member_id, f.facts, review))
        if kept:
            out[household] = tuple(sorted(kept, key=lambda f: (f.kind, f.month, f.ref)))
    return out


def _texts(*values) -> bool:
    return all(isinstance(v, str) for v in values)


def load(ledger: Ledger, *, on: dt.date, household_ids: Iterable[str] | None = None) -> dict[str, tuple[DeptFact, ...]]:
    """Every household's department facts as of `on` (lists dated after it are not read); with
    `household_ids`, only theirs (any number: a batch of a county is passed as one JSON array)."""
    only, params = "", [on.isoformat()]
    if household_ids is not None:
        only = " AND household_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(household_ids)))
    cursor = ledger.conn.cursor()
    cursor.row_factory = None
    rows = cursor.execute(f"SELECT household_id, id, kind, date, data FROM events WHERE kind IN ('{EVENT}', '{REVIEW}')"
                          f" AND (date IS NULL OR date <= ?){only} ORDER BY household_id, date, hlc", params)
    return fold(rows, on)
