"""`grid sync ...`: export, merge, status, conflicts, scope. Thin: the work is in grid_cli.sync."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import JsonOutOption, console, err, field_label, level_name, note_unmasked, open_ledger, print_json, say
from grid_cli.errors import REFUSED, UsageError
from grid_cli.i18n import lang, tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
JsonOption = Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")]


def _line(zh: str, en: str, **kw) -> None:
    console.print(tr(zh, en, **kw), markup=False, soft_wrap=True)


@app.command("export")
def export(
    for_code: Annotated[Optional[str], typer.Option("--for", help="向下导出给该网格/乡镇 export down to this grid / township")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="文件或目录 file or folder (default: here)")] = None,
    as_json: JsonOption = False,
) -> None:
    """导出同步包 — a bundle for the level above, or --for one below."""
    from grid_cli.sync import export_bundle

    ledger = open_ledger()
    result = export_bundle(ledger, out, for_code=for_code)
    if as_json:
        print_json(result.as_dict())
        return
    say("已导出同步包：{path}（{n} 条变更，给{level} {code}）", "Bundle written: {path} ({n} changes, for {level} {code})",
        path=result.path, n=result.changes, level=level_name(result.recipient["level"]), code=result.recipient["code"])


@app.command("merge")
def merge(
    bundles: Annotated[list[Path], typer.Argument(help="同步包文件 bundle files, any order")],
    max_skew: Annotated[float, typer.Option("--max-skew-hours", min=0, max=24 * 366, help="时钟超前多少小时即隔离 quarantine clocks this far ahead")] = 24.0,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """合并同步包 — any number, in any order; each whole or refused whole."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from grid_cli.sync import merge_bundles
    from grid_cli.sync.merge import after_merge

    ledger = open_ledger()
    refused: list[dict] = []

    def on_refused(path: Path, error) -> None:
        refused.append({"path": str(path), "reason": error.reason, "message": error.message(lang())})
        if not as_json:
            err.print(f"[red]{tr('已拒收', 'refused')}[/] ", end="", markup=True)
            err.print(f"{path.name}: {error.message(lang())}", markup=False, soft_wrap=True)

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task(tr("合并中", "merging"), total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        results = []
        for path in bundles:
            bar.update(task, description=path.name[:40], completed=0)
            results += merge_bundles(ledger, [path], progress=progress, on_refused=on_refused,
                                     max_skew_hours=max_skew, refresh=False)
    warning = after_merge(ledger) if any(r.applied for r in results) else None
    if warning is not None and not as_json:
        err.print(f"[yellow]{tr('提示', 'note')}:[/] ", end="", markup=True)
        err.print(tr("已合并，但未能重算风险：", "merged, but findings were not recomputed: ") + warning.message(lang()),
                  markup=False, soft_wrap=True)
    if as_json:
        print_json({"merged": [r.as_dict() for r in results], "refused": refused}, out)
    else:
        for r in results:
            _line("{name}: 来自{level} {code}，{n} 条变更，新增 {a}，已有 {s}，隔离 {q}，新冲突 {c}",
                "{name}: from {level} {code}: {n} changes, {a} new, {s} already held, {q} quarantined, {c} new conflicts",
                name=Path(r.path).name, level=level_name(r.sender.get("level")), code=r.sender.get("code"), n=r.changes,
                a=r.applied, s=r.skipped, q=r.quarantined, c=r.conflicts)
            for origin, holes in r.gaps.items():
                _line("  缺口：来源 {o} 缺少序号 {h}", "  gap: origin {o} is missing seqs {h}", o=origin[-8:],
                    h=", ".join(f"{a}-{b}" if a != b else str(a) for a, b in holes))
    if refused:
        raise typer.Exit(REFUSED)


@app.command("inspect")
def inspect(
    bundle: Annotated[Path, typer.Argument(help="同步包文件 bundle file")],
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """查看同步包 — what a bundle is and would change, without merging it.

    发送方、接收方、范围、序号、签名；用接收方账本（--ledger）时还有合并后的变化 sender, recipient, scope,
    ranges, signer; with the recipient's ledger (--ledger), what merging it would change."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.errors import DataError
    from grid_cli.sync.inspect import inspect_bundle

    try:
        ledger = open_ledger()
    except DataError:
        ledger = None
    info = inspect_bundle(bundle, ledger)
    if as_json:
        print_json(info, out)
        return
    s, r = info["sender"], info["recipient"]
    _line("同步包 {id}（格式 {v}，{sealed}），{created} 生成", "Bundle {id} (format {v}, {sealed}), created {created}",
          id=str(info["bundle_id"])[-8:], v=info["version"], created=info["created"],
          sealed=tr("已签名并加密", "signed and encrypted") if info["sealed"] else tr("未签名、未加密", "NOT signed or encrypted"))
    _line("  发送方：{level} {code}（副本 {rep}）", "  sender: {level} {code} (replica {rep})",
          level=level_name(s["level"]), code=s["code"], rep=s["replica"][-8:])
    _line("  接收方：{level} {code}", "  recipient: {level} {code}", level=level_name(r["level"]), code=r["code"])
    if info["sealed"]:
        _line("  签名密钥 {s}；加密给密钥 {k}", "  signing key {s}; encrypted to key {k}", s=info["signer"], k=info["recipient_key"])
    _line("  范围：{g}；{n} 条变更", "  scope: {g}; {n} changes", g=", ".join(info["scope"]), n=info["changes"])
    for o in info["origins"]:
        ranges = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in o["ranges"])
        _line("    {level} {code}（{rep}）：序号 {r}，{n} 条", "    {level} {code} ({rep}): seqs {r}, {n} changes",
              level=level_name(o.get("level")), code=o.get("code"), rep=o["replica"][-8:], r=ranges, n=o["changes"])
    would = info.get("would")
    if would is None:
        return
    if would["status"] == "refused":
        _line("  合并到本账本：会被拒收 — {m}", "  merging into this ledger: refused — {m}", m=would[lang()])
        return
    _line("  合并到本账本：新增 {a} 条（{what}），已有 {s}，隔离 {q}，新冲突 {c}",
          "  merging into this ledger: {a} new ({what}), {s} already held, {q} quarantined, {c} new conflicts",
          a=would["applied"], s=would["skipped"], q=would["quarantined"], c=would["conflicts"],
          what=", ".join(f"{k} {v}" for k, v in sorted(would["by_entity"].items())) or "-")


@app.command("status")
def status(as_json: JsonOption = False, out: JsonOutOption = None) -> None:
    """同步状况 — per origin: what was received, the gaps, the last merge."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from rich.table import Table

    from grid_cli.sync import sync_status

    info = sync_status(open_ledger())
    if as_json:
        print_json(info, out)
        return
    say("本账本：{level} {code}（副本 {r}）；下辖：{area}", "This ledger: {level} {code} (replica {r}); area: {area}",
        level=level_name(info["level"]), code=info["code"], r=info["replica"][-8:], area=", ".join(info["area"]))
    table = Table(title=tr("各来源收到的变更", "Changes received per origin"))
    for zh, en in (("来源", "origin"), ("层级", "level"), ("编码", "code"), ("已收", "received"),
                   ("连续至", "covered to"), ("缺口", "gaps"), ("最近同步包", "last bundle")):
        table.add_column(tr(zh, en))
    for o in info["origins"]:
        gaps = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in o["gaps"])
        table.add_row(o["origin"][-8:] + (tr("（本账本）", " (this)") if o["self"] else ""), level_name(o["level"]),
                      o["code"] or "", str(o["received"]), str(o["covered_to"]), f"[red]{gaps}[/]" if gaps else "",
                      o["last_bundle_at"] or "")
    console.print(table)
    last = info["last_merge"]
    say("最近一次合并：{at}", "Last merge: {at}", at=last["at"] if last else tr("无", "none"))
    say("待处理冲突 {c}；隔离的变更 {q}", "Open conflicts {c}; quarantined changes {q}",
        c=info["open_conflicts"], q=info["quarantined"])
    import json

    for d in info["local_rules"]:  # a lower level's own rule values that differ from this ledger's
        say("本地规则：{lv} {code} {y}年 {k} = {v}（本账本 {h}；{kind}，{at}）",
            "Local rule: {lv} {code} {y} {k} = {v} (here {h}; {kind}, {at})", lv=level_name(d["level"]), code=d["code"],
            y=d["year"], k=d["key"], v=json.dumps(d["value"], ensure_ascii=False), h=json.dumps(d["here"], ensure_ascii=False),
            kind=tr("本地加严", "stricter local check") if d["stricter"] else tr("本地设定，县里设定后以县为准", "set locally; the county's value prevails once set"),
            at=d["at"])


@app.command("conflicts")
def conflicts(
    choice: Annotated[Optional[str], typer.Argument(help="kept 保留现值 | lost 改用落选值 (with --pick)")] = None,
    pick_id: Annotated[Optional[int], typer.Option("--pick", help="处理该编号的冲突 settle this conflict")] = None,
    include_closed: Annotated[bool, typer.Option("--all", help="也列出已处理的 include settled ones")] = False,
    unmasked: Annotated[bool, typer.Option("--unmasked", help="显示完整证件号码和电话 full ID numbers and phones (recorded)")] = False,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """冲突 — values that lost a concurrent edit; --pick settles one.

    处理结果本身是一条新的变更，随同步包传递 the choice is itself a new change that travels with the bundles."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.sync import list_conflicts, pick

    ledger = open_ledger()
    if pick_id is not None:
        if choice is None:
            raise UsageError("请在 --pick 后给出 kept 或 lost", "give kept or lost after --pick ID")
        done = pick(ledger, pick_id, choice)
        if as_json:
            print_json(done, out)
        else:
            say("冲突 {id} 已处理：{field} = {value}", "Conflict {id} settled: {field} = {value}",
                id=pick_id, field=field_label(done.get("entity", ""), done["field"]),
                value=_masked(done["field"], done["value"]))
        return
    if choice is not None:
        raise UsageError("kept / lost 须与 --pick ID 一起用", "kept / lost goes with --pick ID")
    rows = list_conflicts(ledger, include_closed=include_closed)
    if unmasked:
        note_unmasked(ledger, f"sync conflicts ({len(rows)} rows)")
    else:
        rows = [{**r, "kept_value": _masked(r["field"], r["kept_value"]), "lost_value": _masked(r["field"], r["lost_value"])}
                for r in rows]
    if as_json:
        print_json(rows, out)
        return
    if not rows:
        say("没有待处理的冲突", "No open conflicts")
        return
    from rich.table import Table

    table = Table(title=tr("并发修改中落选的值", "Values that lost a concurrent edit"))
    for zh, en in (("编号", "id"), ("户编号", "household"), ("对象", "record"), ("字段", "field"),
                   ("现值", "kept"), ("落选值", "lost"), ("状态", "status")):
        table.add_column(tr(zh, en))
    for r in rows:
        entity = _ENTITY.get(r["entity"])
        status = _STATUS.get(r["status"])
        table.add_row(str(r["id"]), r["hh_no"] or "", f"{tr(*entity) if entity else r['entity']} {str(r['entity_id'])[-8:]}",
                      field_label(r["entity"], r["field"]), str(r["kept_value"]), str(r["lost_value"]),
                      tr(*status) if status else r["status"])
    console.print(table, markup=False)
    say("处理：grid sync conflicts --pick 编号 kept（保留现值）或 lost（改用落选值）",
        "Settle one with: grid sync conflicts --pick ID kept|lost")


_ENTITY = {"household": ("户", "household"), "member": ("成员", "member"), "config": ("规则", "rules")}
_STATUS = {"open": ("待处理", "open"), "superseded": ("已被后来的修改取代", "superseded"),
           "picked-kept": ("已处理：保留现值", "settled: kept"), "picked-lost": ("已处理：改用落选值", "settled: lost value")}


def _masked(field: str, value):
    """Personal data in a conflict list is masked like every printout; --unmasked shows it (recorded)."""
    from grid_cli.idcard import mask_id, mask_phone

    if value is None:
        return value
    return mask_id(str(value)) if field == "id_number" else mask_phone(str(value)) if field == "phone" else value


@app.command("scope")
def scope(
    add: Annotated[Optional[list[str]], typer.Option("--add", help="加入下辖网格/乡镇 add a grid / township (repeatable)")] = None,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """下辖范围 — show or extend a hub's area (its grids or townships)."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.sync.place import add_scope
    from grid_cli.sync.place import area as area_of

    ledger = open_ledger()
    added = add_scope(ledger, add) if add else []
    area = area_of(ledger)
    if as_json:
        print_json({"area": area, "added": added}, out)
        return
    say("下辖：{area}", "Area: {area}", area=", ".join(area))
