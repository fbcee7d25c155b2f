"""Where a ledger sits in the grid -> township -> county tree, and what it covers.

A grid ledger's place is its grid code and its township (from `grid init`); a township hub covers the grids
listed at init (`scope` table); a county covers its townships and learns, from each township's bundles,
which grids belong to it. Trust, chain heads, keys, init, sync and the exports all ask here; whom a ledger
accepts bundles from is sync/admission.py (whether a bundle is addressed to this place at all is here).

Two views of a place: `Place` is a replica's seat in the tree (replica, level, code, parent), what sync
and trust compare; `Address` is the ledger's full postal address (county, township, village, grid), what an
export's title and page header print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grid_cli.errors import NotForThisLedger, UsageError
from grid_cli.ledger import Ledger

LEVELS = ("grid", "township", "county")
PARENT_LEVEL = {"grid": "township", "township": "county"}
CHILD_LEVEL = {"township": "grid", "county": "township"}
LEVEL_ZH = {"grid": "网格", "township": "乡镇", "county": "县"}
REPLICA_RE = re.compile(r"[0-9A-Za-z_-]{1,64}")


def level_of(ledger) -> str:
    return ledger.meta("level") or "grid"


def label(level: str, code: str) -> tuple[str, str]:
    return f"{LEVEL_ZH.get(level, level)} {code}", f"{level} {code}"


@dataclass(frozen=True)
class Place:
    replica: str
    level: str
    code: str
    parent: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"replica": self.replica, "level": self.level, "code": self.code, "parent": self.parent}


@dataclass
class Address:
    level: str
    county: str
    township: str
    village: str
    grid: str

    @property
    def hub(self) -> bool:
        return self.level != "grid"

    def label(self) -> str:
        parts = [self.county, self.township]
        if not self.hub:
            parts += [self.village, f"网格 {self.grid}" if self.grid else ""]
        return " ".join(p for p in parts if p)

    def name(self) -> str:
        """The place a title names: the village for a grid ledger, else the township (or county)."""
        if not self.hub:
            return self.village or self.grid
        return self.township if self.level == "township" else (self.county or self.township)


def address_of(ledger: Ledger) -> Address:
    meta = ledger.all_meta()
    return Address(meta.get("level") or "grid", meta.get("county") or "", meta.get("township") or "",
                   meta.get("village") or "", meta.get("grid_code") or "")


def here(ledger: Ledger) -> Place:
    meta = ledger.all_meta()
    level = meta.get("level") or "grid"
    code = {"grid": meta.get("grid_code"), "township": meta.get("township"), "county": meta.get("county")}[level]
    parent = {"grid": meta.get("township"), "township": meta.get("county"), "county": None}[level]
    return Place(meta["replica_id"], level, str(code), parent)


def area(ledger: Ledger, me: Place | None = None) -> list[str]:
    """What a ledger covers: a township's grids, a county's townships, a grid itself."""
    me = me or here(ledger)
    return scope_codes(ledger, CHILD_LEVEL[me.level]) if me.level in CHILD_LEVEL else [me.code]


def scope_codes(ledger: Ledger, level: str, parent: str | None = None) -> list[str]:
    sql, params = "SELECT code FROM scope WHERE level = ?", [level]
    if parent is not None:
        sql += " AND parent = ?"
        params.append(parent)
    return [r[0] for r in ledger.conn.execute(sql + " ORDER BY code", params)]


def my_grids(ledger: Ledger, place: Place) -> set[str]:
    """The grids whose households this ledger holds."""
    if place.level == "grid":
        return {place.code}
    return set(scope_codes(ledger, "grid"))


def create_hub(path: Path, level: str, *, township: str | None, county: str, codes: list[str],
               year: int, year_config: dict | None) -> Ledger:
    """A township hub (scope: its grids) or a county hub (scope: its townships)."""
    if level not in ("township", "county"):
        raise UsageError(f"层级只能是 grid、township 或 county：{level}", f"--level is grid, township or county: {level}")
    codes = sorted({c.strip() for c in codes if c.strip()})
    if not codes:
        raise UsageError("请用 --grids（乡镇）或 --townships（县）列出下辖单位",
                         "list the area with --grids (township) or --townships (county)")
    meta: dict[str, Any] = {"level": level, "county": county, "year": year}
    if level == "township":
        meta["township"] = township
    ledger = Ledger.create(path, meta)
    with ledger.write() as w:
        child = CHILD_LEVEL[level]
        parent = township if level == "township" else county
        w.conn.executemany("INSERT OR IGNORE INTO scope (code, level, parent) VALUES (?, ?, ?)",
                           [(code, child, parent) for code in codes])
        if year_config:
            w.set_config(year, year_config)
    return ledger


def add_scope(ledger: Ledger, codes: list[str]) -> list[str]:
    place = here(ledger)
    if place.level == "grid":
        raise UsageError("网格账本没有下辖范围", "a grid ledger has no area below it")
    child = CHILD_LEVEL[place.level]
    added = []
    with ledger.write() as w:
        for code in sorted({c.strip() for c in codes if c.strip()}):
            if w.conn.execute("INSERT OR IGNORE INTO scope (code, level, parent) VALUES (?, ?, ?)",
                              (code, child, place.code)).rowcount:
                added.append(code)
    return added


def check_recipient(me: Place, r: dict) -> None:
    """A bundle is for one place (and, when it names one, one replica): this ledger, or it is refused."""
    if r["level"] != me.level or r["code"] != me.code or (r.get("replica") and r["replica"] != me.replica):
        zh, en = label(r["level"], r["code"])
        mzh, men = label(me.level, me.code)
        raise NotForThisLedger(f"这个同步包是给{zh}的，不是给本账本（{mzh}）的",
                               f"this bundle is for {en}, not for this ledger ({men})")
