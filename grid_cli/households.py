"""Households and members: finding, adding, editing and status changes (never deletion).

Pure core: takes a Ledger, returns plain dicts, raises GridError subclasses. No typer, no rich.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from grid_cli import catalog
from grid_cli.clock import new_id, today
from grid_cli.errors import NotFound, UsageError
from grid_cli.idcard import shown
from grid_cli.fields import clean
from grid_cli.ledger import Ledger, Writer
from grid_cli.place import here, scope_codes

ACTIVE = "正常"


def _first_error(errors: dict[str, UsageError]) -> None:
    if errors:
        raise next(iter(errors.values()))


# -- finding -----------------------------------------------------------------------------------
def find_household(ledger: Ledger, key: str) -> dict:
    """By 户编号, by record id, or by an unambiguous id prefix of at least 8 characters."""
    key = str(key).strip()
    rows = ledger.query("SELECT id FROM households WHERE hh_no = ? OR id = ?", (key, key))
    if not rows and len(key) >= 8:
        rows = ledger.query("SELECT id FROM households WHERE id LIKE ?", (key + "%",))
    if len(rows) > 1:
        raise NotFound(f"“{key}”对应多户（可能是不同网格登记了同一户编号）", f"'{key}' matches several households "
                       "(perhaps two grids registered the same number)",
                       hint_zh="用 grid sync duplicates 查看，并用记录编号指明其中一户",
                       hint_en="see them with `grid sync duplicates` and name one by its record id")
    if not rows:
        raise NotFound(f"找不到户“{key}”", f"no household '{key}'",
                       hint_zh="用 grid household search 查找", hint_en="find it with `grid household search`")
    return ledger.get("household", rows[0]["id"])


def find_member(ledger: Ledger, key: str) -> dict:
    """By 证件号码, record id or id prefix."""
    key = str(key).strip().upper()
    rows = ledger.query("SELECT id FROM members WHERE upper(id_number) = ? OR id = ?", (key, key.lower()))
    if not rows and len(key) >= 8:  # the start, or the end `household show` prints, of a member id
        rows = ledger.query("SELECT id FROM members WHERE id LIKE ? OR id LIKE ?",
                            (key.lower() + "%", "%" + key.lower()))
    if len(rows) > 1:
        raise NotFound(f"“{key}”对应多名成员，请给出证件号码或完整成员编号",
                       f"'{key}' matches several members; give the ID number or the full member id")
    if len(rows) != 1:
        raise NotFound(f"找不到成员“{shown(key)}”", f"no member '{shown(key)}'",
                       hint_zh="用证件号码或 grid household show 里显示的成员编号",
                       hint_en="use the ID number or the member id shown by `grid household show`")
    return ledger.get("member", rows[0]["id"])


def members_of(ledger: Ledger, household_id: str, *, active_only: bool = False) -> list[dict]:
    sql = "SELECT * FROM members WHERE household_id = ?" + (" AND status = '正常'" if active_only else "")
    rows = ledger.query(sql + " ORDER BY relation != '户主', birth_date", (household_id,))
    for row in rows:
        row.pop("_v", None)
    return rows


def detail(ledger: Ledger, key: str) -> dict:
    household = find_household(ledger, key)
    household["members"] = members_of(ledger, household["id"])
    return household


# -- adding and editing ------------------------------------------------------------------------
def _check_hh_no_free(ledger: Ledger, hh_no: str, except_id: str | None = None) -> None:
    rows = ledger.query("SELECT id FROM households WHERE hh_no = ? AND id IS NOT ?", (hh_no, except_id))
    if rows:
        raise UsageError(f"户编号 {hh_no} 已存在", f"household number {hh_no} already exists",
                         hint_zh="用 grid household edit 修改该户", hint_en="edit it with `grid household edit`")


def _check_member(ledger: Ledger, household_id: str, values: dict, member_id: str | None = None) -> None:
    number = values.get("id_number")
    if number:
        clash = ledger.query(
            "SELECT m.id, h.hh_no FROM members m LEFT JOIN households h ON h.id = m.household_id "
            "WHERE upper(m.id_number) = ? AND m.status = '正常' AND m.id IS NOT ?",
            (number.upper(), member_id),
        )
        if clash:
            raise UsageError(f"该证件号码已登记在户 {clash[0]['hh_no']}",
                             f"this ID number is already registered in household {clash[0]['hh_no']}")
    if values.get("relation") == "户主":
        heads = ledger.query(
            "SELECT id FROM members WHERE household_id = ? AND relation = '户主' AND status = '正常' AND id IS NOT ?",
            (household_id, member_id),
        )
        if heads:
            raise UsageError("该户已有户主", "this household already has a head",
                             hint_zh="先把原户主的关系改掉", hint_en="change the current head's relation first")


def grid_for_new(ledger: Ledger, grid: str | None) -> str:
    """The grid a household recorded here belongs to: a grid ledger's own; at a township or the county,
    the one named (`--grid`), which must be in its area. A household with no grid would stop every bundle
    to the level above (`grid sync repair` places one recorded before this was checked)."""
    me = here(ledger)
    if me.level == "grid":
        if grid not in (None, "", me.code):
            raise UsageError(f"本网格账本只能登记网格 {me.code} 的户", f"this grid ledger records households of grid {me.code} only")
        return me.code
    area = scope_codes(ledger, "grid")
    if not grid:
        raise UsageError("乡镇或县账本登记农户时须用 --grid 指明所属网格", "at a township or the county, name the household's "
                         "grid with --grid", hint_zh=f"可选：{', '.join(area) or '（尚无）'}", hint_en=f"one of: {', '.join(area) or '(none yet)'}")
    if grid not in area:
        raise UsageError(f"网格 {grid} 不在本{'乡镇' if me.level == 'township' else '县'}的范围内",
                         f"grid {grid} is not within this {me.level}'s area",
                         hint_zh=f"可选：{', '.join(area) or '（尚无）'}", hint_en=f"one of: {', '.join(area) or '(none yet)'}")
    return grid


def add_household(ledger: Ledger, raw: dict[str, Any], head: dict[str, Any] | None = None, *,
                  grid: str | None = None) -> str:
    values, errors = clean("household", raw)
    _first_error(errors)
    if not values.get("hh_no"):
        raise UsageError("必须填写户编号", "a household number (户编号) is required")
    values.setdefault("hh_type", "一般农户")
    values["grid"] = grid_for_new(ledger, grid)
    _check_hh_no_free(ledger, values["hh_no"])
    household_id = new_id()
    with ledger.write() as w:
        w.put("household", household_id, {**values, "status": ACTIVE})
        if head:
            _add_member(ledger, w, household_id, {**head, "relation": "户主"})
    return household_id


def edit_household(ledger: Ledger, key: str, raw: dict[str, Any]) -> dict[str, Any]:
    household = find_household(ledger, key)
    values, errors = clean("household", raw)
    _first_error(errors)
    if "hh_no" in values:
        _check_hh_no_free(ledger, values["hh_no"], household["id"])
    with ledger.write() as w:
        return w.put("household", household["id"], values)


def _add_member(ledger: Ledger, w: Writer, household_id: str, raw: dict[str, Any]) -> str:
    values, errors = clean("member", raw)
    _first_error(errors)
    if not values.get("name"):
        raise UsageError("必须填写成员姓名", "a member needs a name")
    values.setdefault("relation", "其他")
    _check_member(ledger, household_id, values)
    member_id = new_id()
    w.put("member", member_id, {**values, "household_id": household_id, "status": ACTIVE})
    return member_id


def add_member(ledger: Ledger, household_key: str, raw: dict[str, Any]) -> str:
    household = find_household(ledger, household_key)
    with ledger.write() as w:
        return _add_member(ledger, w, household["id"], raw)


def edit_member(ledger: Ledger, key: str, raw: dict[str, Any]) -> dict[str, Any]:
    member = find_member(ledger, key)
    values, errors = clean("member", raw)
    _first_error(errors)
    if member.get("id_number") and "id_number" not in values:  # sex and birth date must still match the ID
        _first_error(clean("member", {"id_number": member["id_number"],
                                      **{k: values[k] for k in ("sex", "birth_date") if k in values}})[1])
    _check_member(ledger, member["household_id"], values, member["id"])
    with ledger.write() as w:
        return w.put("member", member["id"], values)


# -- status changes instead of deletion --------------------------------------------------------
def set_household_status(ledger: Ledger, key: str, status: str, *, reason: str = "",
                         merged_into: str | None = None, on: dt.date | None = None) -> dict[str, Any]:
    household = find_household(ledger, key)
    status = catalog.normalize("household_status", status)
    values: dict[str, Any] = {"status": status, "status_reason": reason or None,
                              "status_date": (on or today()).isoformat(), "merged_into": None}
    if status == "合并重复":
        if not merged_into:
            raise UsageError("合并重复须用 --into 指明保留的户", "a merged duplicate needs --into (the household kept)")
        kept = find_household(ledger, merged_into)
        if kept["id"] == household["id"]:
            raise UsageError("不能合并到自身", "a household cannot be merged into itself")
        values["merged_into"] = kept["id"]
    with ledger.write() as w:
        return w.put("household", household["id"], values)


def set_member_status(ledger: Ledger, key: str, status: str, *, reason: str = "",
                      on: dt.date | None = None) -> dict[str, Any]:
    member = find_member(ledger, key)
    status = catalog.normalize("member_status", status)
    with ledger.write() as w:
        return w.put("member", member["id"], {
            "status": status, "status_reason": reason or None, "status_date": (on or today()).isoformat()})


# -- records at a hub that belong nowhere, and the same household in two grids ----------------------
def unplaced(ledger: Ledger) -> list[dict]:
    """Households at a hub with no grid, or one outside its area (recorded before a hub had to name one)."""
    if here(ledger).level == "grid":
        return []
    area = scope_codes(ledger, "grid")
    rows = ledger.query(_SUMMARY + " WHERE coalesce(h.grid, '') = '' OR h.grid NOT IN (SELECT code FROM scope"
                        " WHERE level = 'grid') ORDER BY h.hh_no")
    return [{**_summary(r), "grid": ledger.get("household", r["id"])["grid"], "area": area} for r in rows]


def place_households(ledger: Ledger, keys: list[str], grid: str) -> list[dict]:
    """Assign households recorded at a hub without a grid to one of its grids: one new change each (the old
    one stays in the log; the bundle carrying both is taken, because the household ends up placed)."""
    grid = grid_for_new(ledger, grid)
    found = [find_household(ledger, key) for key in keys]
    with ledger.write() as w:
        for household in found:
            w.put("household", household["id"], {"grid": grid})
        w.audit("sync-repair", f"{len(found)} households placed in grid {grid}")
    return [{"id": h["id"], "hh_no": h["hh_no"], "grid": grid} for h in found]


def duplicates(ledger: Ledger) -> list[dict]:
    """The same 户编号, or the same ID number, on active records of two or more households: both are kept,
    listed here for review. Derived from the ledger, so every hub holding them (and the county) lists the same."""
    out = []
    for hh_no, ids in ledger.conn.execute(
            "SELECT hh_no, group_concat(id) FROM households WHERE status = '正常' AND coalesce(hh_no, '') != ''"
            " GROUP BY hh_no HAVING count(*) > 1 ORDER BY hh_no"):
        out.append({"kind": "hh_no", "value": hh_no, "households": _brief(ledger, ids.split(","))})
    for number, ids in ledger.conn.execute(
            "SELECT upper(m.id_number), group_concat(DISTINCT m.household_id) FROM members m JOIN households h"
            " ON h.id = m.household_id WHERE m.status = '正常' AND h.status = '正常' AND coalesce(m.id_number, '') != ''"
            " GROUP BY upper(m.id_number) HAVING count(DISTINCT m.household_id) > 1 ORDER BY 1"):
        out.append({"kind": "id_number", "value": number, "households": _brief(ledger, ids.split(","))})
    return out


def _brief(ledger: Ledger, ids: list[str]) -> list[dict]:
    rows = ledger.query(_SUMMARY + f" WHERE h.id IN ({','.join('?' * len(ids))}) ORDER BY h.id", ids)
    grids = dict(ledger.conn.execute(f"SELECT id, grid FROM households WHERE id IN ({','.join('?' * len(ids))})", ids))
    return [{"id": r["id"], "hh_no": r["hh_no"], "grid": grids.get(r["id"]), "head_name": r["head_name"]} for r in rows]


# -- listing and searching ---------------------------------------------------------------------
_SUMMARY = """
SELECT h.id, h.hh_no, h.village, h.group_no, h.hh_type, h.category, h.flags, h.status, h.phone,
       (SELECT name FROM members m WHERE m.household_id = h.id AND m.relation = '户主' AND m.status = '正常'
        LIMIT 1) AS head_name,
       (SELECT count(*) FROM members m WHERE m.household_id = h.id AND m.status = '正常') AS size
FROM households h
"""


def list_households(ledger: Ledger, *, village: str | None = None, include_inactive: bool = False) -> list[dict]:
    where, params = [], []
    if not include_inactive:
        where.append("h.status = '正常'")
    if village:
        where.append("h.village = ?")
        params.append(village)
    sql = _SUMMARY + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY h.village, h.hh_no"
    return [_summary(row) for row in ledger.query(sql, params)]


def search(ledger: Ledger, text: str) -> list[dict]:
    """Households whose 户编号 contains the text, whose members' names contain it, or whose members'
    ID numbers end with it (the 'ID tail' a monitor reads off a card)."""
    text = str(text).strip()
    if not text:
        raise UsageError("请给出要查找的姓名、户编号或证件号码尾号", "give a name, household number or ID tail to search for")
    like = f"%{text}%"
    sql = _SUMMARY + """ WHERE h.hh_no LIKE ? OR h.id IN (
        SELECT household_id FROM members WHERE name LIKE ? OR upper(id_number) LIKE ?)
        ORDER BY h.village, h.hh_no"""
    return [_summary(row) for row in ledger.query(sql, (like, like, "%" + text.upper()))]


def _summary(row: dict) -> dict:
    row["flags"] = json.loads(row["flags"]) if row["flags"] else []
    return row
