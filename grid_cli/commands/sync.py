"""`grid sync ...`: export, merge, inspect, status, conflicts, quarantine, repair, duplicates, scope.
Thin: the work is in grid_cli.sync (and households for repair and duplicates)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.clock import show_time
from grid_cli.commands.common import JsonOutOption, console, err, field_label, level_name, note_unmasked, open_ledger, print_json, say
from grid_cli.errors import REFUSED, UsageError
from grid_cli.i18n import lang, tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
JsonOption = Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")]


def _line(zh: str, en: str, **kw) -> None:
    console.print(tr(zh, en, **kw), markup=False, soft_wrap=True)


def _runs(pairs) -> str:
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in pairs)


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
    say("本账本的变更至第 {s} 条（文件名中的 s{s}；电脑丢失时把这个数告诉上级）",
        "This ledger's own changes go up to no. {s} (the s{s} in the file name: if this computer is lost, tell the "
        "level above this number)", s=result.last_own)


@app.command("merge")
def merge(
    bundles: Annotated[list[Path], typer.Argument(help="同步包文件、文件夹或通配符 bundle files, folders or patterns (U盘/*.zip)")],
    max_skew: Annotated[float, typer.Option("--max-skew-hours", help="时钟超前多少小时即隔离（1–720）hold back changes stamped this far ahead (1-720)")] = 24.0,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """合并同步包 — any number, in any order; each whole or refused whole.

    合并过的同步包跳过并说明；有任何同步包被拒收时退出码为 1（其余照常合并） exit 0 when nothing was refused
    (a bundle merged before is skipped, with a line); 1 when any bundle was refused (the others still merged)."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.errors import BundleRefused, Replayed
    from grid_cli.sync.merge import after_merge, bundle_paths, check_skew, merge_bundle

    check_skew(max_skew)
    ledger = open_ledger()
    paths = bundle_paths(bundles)
    results, skipped, refused = [], [], []
    with _progress(as_json) as progress:
        for path in paths:
            try:
                results.append(merge_bundle(ledger, path, progress=progress(path), max_skew_hours=max_skew))
            except Replayed as error:
                skipped.append({"path": str(path), "reason": error.reason, "message": error.message(lang())})
            except BundleRefused as error:
                refused.append({"path": str(path), "reason": error.reason, "message": error.message(lang())})
                if not as_json:
                    err.print(f"[red]{tr('已拒收', 'refused')}[/] ", end="", markup=True)
                    err.print(f"{path.name}: {error.message(lang())}", markup=False, soft_wrap=True)
    warning = after_merge(ledger) if any(r.applied or r.released for r in results) else None
    if as_json:
        print_json({"merged": [r.as_dict() for r in results], "skipped": skipped, "refused": refused}, out)
    else:
        for r in results:
            _merged_line(r)
        for s in skipped:
            _line("{name}: 跳过 — {m}", "{name}: skipped — {m}", name=Path(s["path"]).name, m=s["message"])
        if warning is not None:
            err.print(f"[yellow]{tr('提示', 'note')}:[/] ", end="", markup=True)
            err.print(tr("已合并，但未能重算风险：", "merged, but findings were not recomputed: ") + warning.message(lang()),
                      markup=False, soft_wrap=True)
    if refused:
        raise typer.Exit(REFUSED)


def _merged_line(r) -> None:
    _line("{name}: 来自{level} {code}，{n} 条变更，新增 {a}，已有 {s}，隔离 {q}，新冲突 {c}",
          "{name}: from {level} {code}: {n} changes, {a} new, {s} already held, {q} quarantined, {c} new conflicts",
          name=Path(r.path).name, level=level_name(r.sender.get("level")), code=r.sender.get("code"), n=r.changes,
          a=r.applied, s=r.skipped, q=r.quarantined, c=r.conflicts)
    if r.released:
        _line("  先前隔离的 {n} 条变更时钟已正常，已放行", "  {n} changes held back earlier have a sane clock now: released",
              n=r.released)
    for origin, upto in r.admitted.items():
        _line("  已破例接收：副本 {o} 的变更至第 {n} 条", "  admitted: changes of replica {o} up to no. {n}", o=origin[-8:], n=upto)
    for origin, holes in r.gaps.items():
        _line("  缺口：来源 {o} 缺少序号 {h}", "  gap: origin {o} is missing seqs {h}", o=origin[-8:], h=_runs(holes))


class _progress:
    """A progress bar on a terminal (one per bundle); nothing otherwise."""

    def __init__(self, quiet: bool):
        self.quiet = quiet

    def __enter__(self):
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                            console=err, transient=True, disable=self.quiet or not err.is_terminal)
        self.bar.__enter__()
        self.task = self.bar.add_task(tr("合并中", "merging"), total=None)
        return self.for_file

    def for_file(self, path: Path):
        self.bar.update(self.task, description=path.name[:40], completed=0)
        return lambda done, total: self.bar.update(self.task, completed=done, total=total or None)

    def __exit__(self, *exc):
        self.bar.__exit__(*exc)


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
          id=str(info["bundle_id"])[-8:], v=info["version"], created=show_time(info["created"]),
          sealed=tr("已签名并加密", "signed and encrypted") if info["sealed"] else tr("未签名、未加密", "NOT signed or encrypted"))
    _line("  发送方：{level} {code}（副本 {rep}，本身变更至第 {n} 条）", "  sender: {level} {code} (replica {rep}, its own changes up to no. {n})",
          level=level_name(s["level"]), code=s["code"], rep=s["replica"][-8:], n=info.get("last_own") or 0)
    _line("  接收方：{level} {code}", "  recipient: {level} {code}", level=level_name(r["level"]), code=r["code"])
    if info["sealed"]:
        _line("  签名密钥 {s}；加密给密钥 {k}", "  signing key {s}; encrypted to key {k}", s=info["signer"], k=info["recipient_key"])
    _line("  范围：{g}；{n} 条变更", "  scope: {g}; {n} changes", g=", ".join(info["scope"]), n=info["changes"])
    for o in info["origins"]:
        _line("    {level} {code}（{rep}）：序号 {r}，{n} 条", "    {level} {code} ({rep}): seqs {r}, {n} changes",
              level=level_name(o.get("level")), code=o.get("code"), rep=o["replica"][-8:], r=_runs(o["ranges"]), n=o["changes"])
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
    """同步状况 — per origin: what was received, the gaps, the last merge.

    另列已作废的密钥及其截止序号、破例接收的同步包 also revoked keys with their cut-off, and admitted bundles."""
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
        table.add_column(tr(zh, en), overflow="fold")
    for o in info["origins"]:
        gaps = _runs(o["gaps"])
        table.add_row(o["origin"][-8:] + (tr("（本账本）", " (this)") if o["self"] else ""), level_name(o["level"]),
                      o["code"] or "", str(o["received"]), str(o["covered_to"]), f"[red]{gaps}[/]" if gaps else "",
                      show_time(o["last_bundle_at"], seconds=False))
    console.print(table)
    last = info["last_merge"]
    say("最近一次合并：{at}", "Last merge: {at}", at=show_time(last["at"]) if last else tr("无", "none"))
    say("待处理冲突 {c}；隔离的变更 {q}", "Open conflicts {c}; quarantined changes {q}",
        c=info["open_conflicts"], q=info["quarantined"])
    for k in info["revoked"]:
        say("已作废：{level} {code}（副本 {r}），只接收到第 {n} 条{via}", "Revoked: {level} {code} (replica {r}), changes "
            "taken up to no. {n}{via}", level=level_name(k["level"]), code=k["code"], r=k["replica"][-8:], n=k["revoked_upto"],
            via=(tr("（上级或下级告知）", " (stated by another ledger)") if k["via"] else ""))
    for a in info["admissions"]:
        say("破例接收：{level} {code} 至第 {n} 条，{at}，理由：{why}（同步包 {f}）",
            "Admitted: {level} {code} up to no. {n}, {at}, reason: {why} (bundle {f})",
            level=level_name(a["level"]), code=a["code"], n=a["upto"], at=show_time(a["at"], seconds=False),
            why=a["reason"], f=a["file_sha256"][:8])

    import json

    for d in info["local_rules"]:  # a lower level's own rule values that differ from this ledger's
        say("本地规则：{lv} {code} {y}年 {k} = {v}（本账本 {h}；{kind}，{at}）",
            "Local rule: {lv} {code} {y} {k} = {v} (here {h}; {kind}, {at})", lv=level_name(d["level"]), code=d["code"],
            y=d["year"], k=d["key"], v=json.dumps(d["value"], ensure_ascii=False), h=json.dumps(d["here"], ensure_ascii=False),
            kind=tr("本地加严", "stricter local check") if d["stricter"] else tr("本地设定，县里设定后以县为准", "set locally; the county's value prevails once set"),
            at=d["at"])


_STATUS = {"open": ("待处理", "open"), "same": ("值相同", "same value"), "settled": ("已被后续修改取代", "settled by a later edit"),
           "picked-kept": ("已处理：保留现值", "settled: kept"), "picked-lost": ("已处理：改用落选值", "settled: lost value")}


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
    from grid_cli.commands.render import list_table

    table = list_table(rows, as_json, ("并发修改中落选的值", "Values that lost a concurrent edit"),
                       ("没有待处理的冲突", "No open conflicts"), out=out)
    if table is None:
        return
    # 80 columns: the household number never wraps; names and values fold onto more lines
    table.add_column(tr("编号", "id"), no_wrap=True)
    table.add_column(tr("户编号", "household"), no_wrap=True)
    for zh, en in (("户主", "head"), ("字段", "field"), ("现值", "kept"), ("落选值", "lost"), ("状态", "status")):
        table.add_column(tr(zh, en), overflow="fold")
    for r in rows:
        what = field_label(r["entity"], r["field"])
        if r["entity"] == "member":
            what = f"{r['member_name'] or r['entity_id'][-8:]}·{what}"
        elif r["entity"] == "config":
            what = f"{tr('规则', 'rules')} {r['entity_id']}·{what}"
        table.add_row(str(r["id"]), r["hh_no"] or "", r["head_name"] or "", what, _text(r["kept_value"]),
                      _text(r["lost_value"]), tr(*_STATUS.get(r["status"], (r["status"], r["status"]))))
    console.print(table, markup=False)
    say("处理：grid sync conflicts --pick 编号 kept（保留现值）或 lost（改用落选值）",
        "Settle one with: grid sync conflicts --pick ID kept|lost")


def _text(value) -> str:
    if value is None:
        return tr("（空）", "(empty)")
    if isinstance(value, list):
        return tr("、", ", ").join(map(str, value)) or tr("（空）", "(empty)")
    return str(value)


def _masked(field: str, value):
    """Personal data in a conflict list is masked like every printout; --unmasked shows it (recorded)."""
    from grid_cli.idcard import mask_id, mask_phone

    if value is None:
        return value
    return mask_id(str(value)) if field == "id_number" else mask_phone(str(value)) if field == "phone" else value


_REASONS = {"clock far in the future": ("时钟超前过多", "clock far in the future"),
            "same origin and seq with different content": ("同一来源同一序号内容不同（历史分叉）", "same origin and seq, other content (a fork)"),
            "event id reused with different content": ("记录编号被重复使用且内容不同", "record id reused with other content")}


@app.command("quarantine")
def quarantine(
    release_ids: Annotated[Optional[list[int]], typer.Option("--release", help="放行该编号的隔离变更（可重复）release this one (repeatable)")] = None,
    release_all: Annotated[bool, typer.Option("--all", help="放行全部可放行的 release every one that can be")] = False,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """隔离的变更 — changes held back, with their reason; --release applies.

    Held back: a clock far ahead, a forked history. `--release ID` or `--all` applies those held for their
    clock (an audited decision). A later merge releases them by itself once their clock is within the limit."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.sync.merge import after_merge
    from grid_cli.sync.quarantine import list_quarantine, release

    ledger = open_ledger()
    if release_ids or release_all:
        done = release(ledger, None if release_all else release_ids)
        if done["released"]:
            after_merge(ledger)
        if as_json:
            print_json(done, out)
            return
        say("已放行 {n} 条隔离变更{ids}", "Released {n} held-back changes{ids}", n=len(done["released"]),
            ids=f"（{', '.join(map(str, done['released']))}）" if done["released"] else "")
        for qid, why in done["refused"].items():
            err.print(tr("未放行 {id}：{w}", "not released {id}: {w}", id=qid, w=why), markup=False, soft_wrap=True)
        if done["refused"]:
            raise typer.Exit(REFUSED)
        return
    rows = list_quarantine(ledger)
    from grid_cli.commands.render import list_table

    table = list_table(rows, as_json, ("隔离的变更", "Changes held back"), ("没有隔离的变更", "No changes held back"), out=out)
    if table is None:
        return
    for zh, en in (("编号", "id"), ("来源", "origin"), ("序号", "seq"), ("原因", "reason"), ("时间戳", "stamped"),
                   ("可放行", "release?")):
        table.add_column(tr(zh, en), overflow="fold")
    for r in rows:
        stamped = ""
        if r["hlc"]:
            import datetime as dt

            stamped = show_time(dt.datetime.fromtimestamp(int(r["hlc"][:13]) / 1000, dt.timezone.utc), seconds=False)
        table.add_row(str(r["id"]), f"{level_name(r['level'])} {r['code'] or r['origin'][-8:]}", str(r["origin_seq"]),
                      tr(*_REASONS.get(r["reason"], (r["reason"], r["reason"]))), stamped,
                      tr("是", "yes") if r["releasable"] else tr("否", "no"))
    console.print(table, markup=False)
    say("放行：grid sync quarantine --release 编号（或 --all）", "Release with: grid sync quarantine --release ID (or --all)")


@app.command("repair")
def repair(
    households: Annotated[Optional[list[str]], typer.Argument(help="户编号 households to place (with --grid)")] = None,
    grid: Annotated[Optional[str], typer.Option("--grid", help="归入该网格 place them in this grid")] = None,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """无网格的户 — households a hub recorded without a grid; --grid places.

    Households recorded at a township or county without a grid stop every bundle to the level above;
    `grid sync repair 户编号... --grid G` places them. Exit 1 while any is left."""
    from grid_cli import households as core

    as_json = as_json or out is not None  # --out FILE implies --json
    ledger = open_ledger()
    if households or grid:
        if not households or not grid:
            raise UsageError("请同时给出户编号和 --grid", "give the household numbers and --grid")
        done = core.place_households(ledger, households, grid)
        if as_json:
            print_json(done, out)
            return
        say("已归入网格 {g}：{h}", "Placed in grid {g}: {h}", g=grid, h=", ".join(d["hh_no"] or d["id"][-8:] for d in done))
        return
    rows = core.unplaced(ledger)
    if as_json:
        print_json(rows, out)
    elif not rows:
        say("所有户都有所属网格", "Every household belongs to a grid")
    else:
        for r in rows:
            say("{hh}（户主 {head}）：{g}", "{hh} (head {head}): {g}", hh=r["hh_no"] or r["id"][-8:], head=r["head_name"] or "-",
                g=r["grid"] or tr("无网格", "no grid"))
        say("用 grid sync repair 户编号... --grid 网格 归入（可选：{a}）", "Place them with: grid sync repair HH... --grid GRID "
            "(one of: {a})", a=", ".join(rows[0]["area"]))
    if rows:
        raise typer.Exit(REFUSED)


@app.command("duplicates")
def duplicates(
    unmasked: Annotated[bool, typer.Option("--unmasked", help="显示完整证件号码（记入审计） show full ID numbers (recorded)")] = False,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """重复登记 — the same 户编号 or ID number in two households.

    Two grids registered it: both are kept; review them. Exit 1 when any is found."""
    from grid_cli import households as core
    from grid_cli.idcard import mask_id

    as_json = as_json or out is not None  # --out FILE implies --json
    ledger = open_ledger()
    rows = core.duplicates(ledger)
    if unmasked:
        note_unmasked(ledger, f"sync duplicates ({len(rows)} rows)")
    else:
        rows = [{**r, "value": mask_id(r["value"]) if r["kind"] == "id_number" else r["value"]} for r in rows]
    if as_json:
        print_json(rows, out)
    elif not rows:
        say("没有重复登记", "No duplicates")
    else:
        for r in rows:
            what = tr("户编号", "household number") if r["kind"] == "hh_no" else tr("证件号码", "ID number")
            places = tr("；", "; ").join(f"{h['grid'] or '-'} {h['hh_no']} {h['head_name'] or ''} ({h['id'][-8:]})".strip()
                                        for h in r["households"])
            say("{what} {v}：{p}", "{what} {v}: {p}", what=what, v=r["value"], p=places)
    if rows:
        raise typer.Exit(REFUSED)


@app.command("scope")
def scope(
    add: Annotated[Optional[list[str]], typer.Option("--add", help="加入下辖网格/乡镇 add a grid / township (repeatable)")] = None,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """下辖范围 — show or extend a hub's area (its grids or townships)."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.place import add_scope
    from grid_cli.place import area as area_of

    ledger = open_ledger()
    added = add_scope(ledger, add) if add else []
    area = area_of(ledger)
    if as_json:
        print_json({"area": area, "added": added}, out)
        return
    say("下辖：{area}", "Area: {area}", area=", ".join(area))
