"""Rich rendering of households and members for the terminal, with personal data masked."""

from __future__ import annotations

from typing import Any

from grid_cli import catalog
from grid_cli.commands import common  # common.console when printing: rich loads only then
from grid_cli.commands.common import yes_no
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
    from rich import box
    from rich.table import Table

    # Fit 80 columns (a Chinese character is 2 wide): no vertical rules; the (masked, so not diallable)
    # phone only on wide terminals; the status only when some household is not active; wrap, never cut.
    columns = [("hh_no", "户编号", "No."), ("head_name", "户主", "Head"), ("size", "人口", "Size"),
               ("village", "自然村", "Village"), ("hh_type", "户类型", "Type"), ("category", "监测类别", "Category"),
               ("flags", "标识", "Flags"), ("phone", "电话", "Phone"), ("status", "状态", "Status")]
    if common.console.width < 100:
        columns = [c for c in columns if c[0] != "phone"]
    if all(row.get("status") == "正常" for row in rows):
        columns = [c for c in columns if c[0] != "status"]
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for key, zh, en in columns:
        table.add_column(tr(zh, en), no_wrap=key in ("hh_no", "phone", "size"), overflow="fold")
    for row in rows:
        row = masked(row)
        cells = {
            "hh_no": row["hh_no"] or "", "head_name": row.get("head_name") or "", "size": str(row.get("size", "")),
            "village": row.get("village") or "", "hh_type": _cat("household_type", row.get("hh_type")),
            "category": _cat("category", row.get("category")),
            "flags": "、".join(_cat("household_flag", f) for f in row.get("flags") or []),
            "phone": row.get("phone") or "", "status": _cat("household_status", row.get("status")),
        }
        table.add_row(*(cells[key] for key, _, _ in columns))
    return table


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
    common.console.print(Panel(lines, title=tr("农户 {n}", "Household {n}", n=h["hh_no"])))
    # Two lines per member so the table fits 80 columns (a Chinese character is 2 wide).
    members = Table(title=tr("家庭成员", "Members"), show_lines=True)
    for zh, en, keep in (("姓名 / 关系", "name / relation", False), ("证件号码 / 性别 出生日期", "ID / sex, born", True),
                         ("健康 劳动技能 / 在校 务工 医保", "health, labour / school, work", False),
                         ("状态 / 成员编号", "status / id", True)):
        members.add_column(tr(zh, en), overflow="fold", no_wrap=keep)
    for m in h["members"]:
        def value(name: str) -> str:
            raw = m.get(name)
            if name == "medical_insurance":
                return tr("医保", "insured") + ":" + yes_no(raw) if raw is not None else ""
            if name in _KIND:
                return _cat(_KIND[name], raw)
            return str(raw) if raw is not None else ""

        def line(*names: str) -> str:
            return " ".join(v for v in map(value, names) if v)

        members.add_row(
            f"{value('name')}\n{value('relation')}",
            f"{value('id_number')}\n{line('sex', 'birth_date')}",
            f"{line('health', 'labour_skill')}\n{line('school_status', 'work_status', 'medical_insurance')}",
            f"{value('status')}\n{m['id'][-8:]}",  # the random end: ids made in one millisecond share the start
        )
    common.console.print(members)


# -- county-sized output ----------------------------------------------------------------------------
class PlainTable:
    """A table printed as it comes, one line per row in fixed columns (CJK characters count two): no
    box drawing and no measuring of every row first, so 80,000 rows go straight to a pager. The last
    column (width 0) takes the rest of the line, unwrapped."""

    def __init__(self, columns: list[tuple[str, int]], *, title: str = "", right: tuple[int, ...] = ()):
        import sys

        self.widths = [w for _, w in columns]
        self.right = right
        self.out = sys.stdout
        if title:
            self.out.write(title + "\n")
        self.line([name for name, _ in columns])
        self.line(["-" * (w or 20) for w in self.widths])

    def _cell(self, i: int, text: str) -> str:
        from rich.cells import cell_len

        width = self.widths[i]
        if not width:
            return text
        pad = width - cell_len(text)
        if pad < 0:
            return text  # longer than its column: shown whole, the line runs on
        return " " * pad + text if i in self.right else text + " " * pad

    def line(self, cells: list[str], last: str | None = None) -> None:
        cells = list(cells) + ([last] if last is not None else [])
        self.out.write("  ".join(self._cell(i, str(c)) for i, c in enumerate(cells)).rstrip() + "\n")

    def end(self, note: str = "") -> None:
        self.out.write((note + "\n" if note else "") + "\n")


def stream_json(head: dict | None, key: str | None, items, out=None) -> int:
    """Write JSON as it comes, to `out` (default stdout): `{...head, key: [items]}`, or a bare list when
    `head` is None. Returns the number of items. One item per line. An item is a value, JSON text, or
    UTF-8 JSON bytes (orjson's own output): to a UTF-8 file or pipe with a binary layer everything goes to
    that layer as bytes, so a county's list is not decoded and encoded again on the way out. Such a handle
    must not translate line ends (write_json's handles write LF); a console gets text."""
    import json
    import sys

    out = out or sys.stdout
    utf8 = (getattr(out, "encoding", "") or "").lower().replace("-", "") == "utf8"
    raw = getattr(out, "buffer", None) if utf8 and not out.isatty() else None
    if raw is not None:
        out.flush()

    def put(text) -> None:
        if raw is not None:
            raw.write(text if isinstance(text, bytes) else text.encode())
        else:
            out.write(text.decode() if isinstance(text, bytes) else text)

    if head is not None:
        text = json.dumps(head, ensure_ascii=False, indent=2)
        put(text[:-2] + f',\n  "{key}": [' if head else "{" + f'"{key}": [')
    else:
        put("[")
    n = 0
    for item in items:
        put(("," if n else "") + "\n    ")
        put(item if isinstance(item, (str, bytes)) else json.dumps(item, ensure_ascii=False, default=str))
        n += 1
    put(("\n  " if n else "") + "]" + ("\n}" if head is not None else "") + "\n")
    if raw is not None:
        raw.flush()
    return n


class progress_bar:
    """A transient progress bar on stderr for a long core step: `with progress_bar("评估中") as tick:`
    gives a `tick(done, total)` callback. Silent when stderr is not a terminal; rich is loaded only when
    the first tick comes (a step with nothing to do costs nothing)."""

    def __init__(self, label: str):
        self.label, self.bar = label, None

    def __enter__(self):
        return self.tick

    def tick(self, done: int, total: int) -> None:
        import sys

        if self.bar is None:
            if not sys.stderr.isatty():
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            from grid_cli.commands.common import err

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=err, transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task(self.label, total=None)
        self.bar.update(self.task, completed=done, total=total or None)

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc) if self.bar is not None else None


def list_table(rows: list, as_json: bool, title: tuple[str, str], none: tuple[str, str], out=None):
    """A listing command's output: with --json the rows as JSON (to `out`, --out, when given), with no rows
    one line saying so (both return None), else an empty table in the plain style that fits 80 columns, for
    the caller's columns."""
    from rich import box
    from rich.table import Table

    from grid_cli.commands.common import print_json, say

    if as_json:
        print_json(rows, out)
        return None
    if not rows:
        say(*none)
        return None
    return Table(title=tr(*title), box=box.SIMPLE_HEAD, pad_edge=False)
