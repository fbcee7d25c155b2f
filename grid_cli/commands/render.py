"""Rich rendering of households and members for the terminal, with personal data masked."""

from __future__ import annotations

from typing import Any

from grid_cli import catalog
from grid_cli.commands.common import console, yes_no
from grid_cli.fields import BY_NAME
from grid_cli.i18n import lang, tr
from grid_cli.idcard import mask_id, mask_phone


def masked(row: dict, unmasked: bool = False) -> dict:
    """A copy safe to print: ID numbers first 6 / last 4, phones first 3 / last 4."""
    if unmasked:
        return dict(row)
    out = dict(row)
    if out.get("id_number"):
        out["id_number"] = mask_id(out["id_number"])
    if out.get("phone"):
        out["phone"] = mask_phone(out["phone"])
    if "members" in out:
        out["members"] = [masked(m) for m in out["members"]]
    return out


def _cat(kind: str, value: Any) -> str:
    return catalog.label(kind, value, lang())


def household_table(rows: list[dict], title: str | None = None):
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for zh, en in (("户编号", "No."), ("户主", "Head"), ("人口", "Size"), ("自然村", "Village"),
                   ("户类型", "Type"), ("监测类别", "Category"), ("标识", "Flags"), ("电话", "Phone"), ("状态", "Status")):
        table.add_column(tr(zh, en), no_wrap=zh in ("户编号", "电话"))
    for row in rows:
        row = masked(row)
        table.add_row(
            row["hh_no"] or "", row.get("head_name") or "", str(row.get("size", "")), row.get("village") or "",
            _cat("household_type", row.get("hh_type")), _cat("category", row.get("category")),
            "、".join(_cat("household_flag", f) for f in row.get("flags") or []), row.get("phone") or "",
            _cat("household_status", row.get("status")),
        )
    return table


_MEMBER_COLUMNS = ["name", "relation", "id_number", "sex", "birth_date", "health", "labour_skill",
                   "school_status", "work_status", "medical_insurance", "status"]
_KIND = {"relation": "relation", "sex": "sex", "health": "health", "labour_skill": "labour_skill",
         "school_status": "school_status", "work_status": "work_status", "status": "member_status"}


def show_household(household: dict, unmasked: bool = False) -> None:
    from rich.panel import Panel
    from rich.table import Table

    h = masked(household, unmasked)
    fields = BY_NAME["household"]
    lines = Table(show_header=False, box=None, pad_edge=False)
    for name in ("hh_no", "village", "group_no", "phone", "hh_type", "category", "flags", "address"):
        value = h.get(name)
        if name == "flags":
            value = "、".join(_cat("household_flag", f) for f in value or [])
        elif name in ("hh_type", "category"):
            value = _cat("household_type" if name == "hh_type" else "category", value)
        lines.add_row(tr(fields[name].zh, fields[name].en), value or "")
    lines.add_row(tr("状态", "status"), _cat("household_status", h.get("status")) +
                  (f"（{h['status_date']} {h.get('status_reason') or ''}）" if h.get("status_date") else ""))
    lines.add_row(tr("记录编号", "record id"), h["id"])
    console.print(Panel(lines, title=tr("农户 {n}", "Household {n}", n=h["hh_no"])))
    members = Table(title=tr("家庭成员", "Members"))
    mfields = BY_NAME["member"]
    for name in _MEMBER_COLUMNS:
        members.add_column(tr(mfields[name].zh, mfields[name].en) if name in mfields else tr("状态", "status"))
    members.add_column(tr("成员编号", "member id"), no_wrap=True)
    for m in h["members"]:
        cells = []
        for name in _MEMBER_COLUMNS:
            value = m.get(name)
            if name == "medical_insurance":
                cells.append(yes_no(value))
            elif name in _KIND:
                cells.append(_cat(_KIND[name], value))
            else:
                cells.append(str(value) if value is not None else "")
        cells.append(m["id"][:13])
        members.add_row(*cells)
    console.print(members)
