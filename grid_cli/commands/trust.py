"""`grid trust issue | add | list | revoke | admit`: whose bundles this ledger takes, whom it seals bundles
for, and the cut-off of a revoked key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.clock import show_time
from grid_cli.commands.common import JsonOutOption, console, level_name, open_ledger, print_json, say, writable_file_or_folder
from grid_cli.commands.keys import write_public
from grid_cli.i18n import lang, tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
JsonOption = Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")]


@app.command("issue")
def issue(
    code: Annotated[str, typer.Argument(help="下辖网格/乡镇编码 a grid (township ledger) or township (county ledger)")],
    out: Annotated[Optional[Path], typer.Option("--out", help="登记文件 enrolment file (default: CODE-enrol.json)",
                                              callback=writable_file_or_folder)] = None,
    as_json: JsonOption = False,
) -> None:
    """发放登记文件 — an enrolment file for a grid or township below.

    对方运行 grid enroll FILE they run `grid enroll FILE`."""
    from grid_cli.security.trust import issue_enrolment

    ledger = open_ledger()
    doc = issue_enrolment(ledger, code)
    path = write_public(doc, out, f"{code}-enrol.json")
    if as_json:
        print_json({"file": str(path), "for": doc["for"], "fingerprint": doc["issuer"]["fingerprint"]})
        return
    say("已写出 {code} 的登记文件：{path}（本账本指纹 {fp}）", "Enrolment file for {code} written: {path} (this ledger's fingerprint {fp})",
        code=code, path=path, fp=doc["issuer"]["fingerprint"])
    say("对方运行 grid enroll {name} 后，把生成的公钥文件交回，用 grid trust add 登记",
        "They run `grid enroll {name}`, then bring back their public-key file for `grid trust add`", name=path.name)


@app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="对方的公钥文件 their public-key file (CODE-public.json)")],
    replace: Annotated[bool, typer.Option("--replace", help="换了电脑：作废旧密钥、保留旧记录 a replaced laptop: revoke the old key, keep its history")] = False,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """信任对方的公钥 — trust a public-key file (check its fingerprint)."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.security.trust import PUBLIC_FORMAT, read_json, trust_add

    ledger = open_ledger()
    done = trust_add(ledger, read_json(file, PUBLIC_FORMAT, ("公钥文件", "public-key file")), replace=replace)
    key = done["key"]
    if as_json:
        print_json(done, out)
        return
    if done["status"] == "already":
        say("{level} {code} 已登记（指纹 {fp}），无变化", "{level} {code} is already trusted (fingerprint {fp}); nothing changed",
            level=level_name(key["level"]), code=key["code"], fp=key["fingerprint"])
        return
    say("已信任 {level} {code}，指纹 {fp} — 请与对方 grid keys show 显示的指纹核对",
        "Trusted {level} {code}, fingerprint {fp}: check it matches what `grid keys show` shows on their side",
        level=level_name(key["level"]), code=key["code"], fp=key["fingerprint"])
    for old in done["replaced"] or []:
        say("  旧副本 {r} 的密钥已作废，记录保留", "  the old replica {r}'s key is revoked; its history is kept", r=old[-8:])


@app.command("list")
def list_keys(as_json: JsonOption = False, out: JsonOutOption = None) -> None:
    """已信任的密钥 — keys enrolled here or vouched for, with revocations."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.commands.render import list_table
    from grid_cli.security.trust import trusted

    rows = trusted(open_ledger())
    table = list_table(rows, as_json, ("已信任的密钥", "Trusted keys"),
                       ("尚未信任任何密钥（用 grid enroll / grid trust add）", "No trusted keys yet (use `grid enroll` / `grid trust add`)"), out=out)
    if table is None:
        return
    # 80 columns: the fingerprint whole on one line; times local with their zone, wrapping between date and time
    table.add_column(tr("对象/副本", "place/replica"), overflow="fold")
    table.add_column(tr("指纹", "fingerprint"), no_wrap=True)
    for zh, en in (("登记时间", "added"), ("状态", "state")):
        table.add_column(tr(zh, en), overflow="fold")
    places = {r["replica"]: f"{level_name(r['level'])} {r['code']}" for r in rows}
    for r in rows:
        if r["revoked_upto"] is not None or r["revoked_at"]:
            state = tr("已作废，至第 {n} 条 {at}", "revoked, up to no. {n} {at}", n=r["revoked_upto"] if r["revoked_upto"] is not None else "?",
                       at=show_time(r["revoked_at"], seconds=False))
        else:
            state = tr("有效", "valid")
        if r["via"]:
            state += tr("（{v}告知）", " (stated by {v})", v=places.get(r["via"], r["via"][-8:]))
        table.add_row(f"{places[r['replica']]}\n{r['replica'][-8:]}", r["fingerprint"],
                      show_time(r["added_at"], seconds=False), state)
    console.print(table, markup=False)


@app.command("revoke")
def revoke(
    what: Annotated[str, typer.Argument(help="编码、副本编号或指纹 a place code, replica id or fingerprint")],
    upto: Annotated[Optional[int], typer.Option("--upto", help="监测员所说最后一个同步包的 s 后的数字 the last change the monitor says it sent (the s<N> of its last bundle)")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="丢失时间（本地时间，如 2026-11-28 15:29），仅作记录 when it was lost (local time); recorded only")] = None,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """作废密钥 — revoke a trusted key (a lost or stolen laptop).

    此后的变更（本账本已有的最后一条之后，或 --upto N 之后）一律拒收，不论同步包自称何时；grid trust admit 可破例接收
    一个核查过的同步包 its changes after the last one held here (or --upto N) are refused, whatever time a
    bundle claims; `grid trust admit` takes one inspected bundle past it."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.security.trust import revoke as do_revoke

    rows = do_revoke(open_ledger(), what, at=at, upto=upto)
    if as_json:
        print_json(rows, out)
        return
    for r in rows:
        say("已作废 {level} {code} 的密钥（{fp}）：只接收到它的第 {n} 条变更为止，其后的一律拒收（丢失时间 {at}）",
            "Revoked {level} {code}'s key ({fp}): its changes are taken up to no. {n}, anything after is refused (lost at {at})",
            level=level_name(r["level"]), code=r["code"], fp=r["fingerprint"], n=r["revoked_upto"], at=show_time(r["revoked_at"]))


@app.command("admit")
def admit(
    bundle: Annotated[Path, typer.Argument(help="已核查的同步包 the bundle staff inspected (grid sync inspect)")],
    reason: Annotated[str, typer.Option("--reason", help="为何接收（记入审计）why it is taken (audited)")],
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """破例接收 — take one inspected bundle past a revoked key's cut-off.

    After inspecting it (`grid sync inspect`): the cut-off moves to the bundle's last change, audited and shown in `grid sync status`."""
    from grid_cli.errors import UsageError
    from grid_cli.errors import Replayed
    from grid_cli.sync.merge import after_merge, merge_bundle

    as_json = as_json or out is not None  # --out FILE implies --json
    if not reason.strip():
        raise UsageError("请用 --reason 写明理由", "give the reason with --reason")
    ledger = open_ledger()
    try:
        result = merge_bundle(ledger, bundle, admit_reason=reason.strip())
    except Replayed as error:
        say("{name}: 跳过 — {m}", "{name}: skipped — {m}", name=bundle.name, m=error.message(lang()))
        return
    if result.applied:
        after_merge(ledger)
    if as_json:
        print_json(result.as_dict(), out)
        return
    say("{name}: 已合并，新增 {a} 条", "{name}: merged, {a} new changes", name=bundle.name, a=result.applied)
    if not result.admitted:
        say("  （没有超出作废截止点的变更，无需破例）", "  (nothing past a revocation's cut-off: no admission was needed)")
    for origin, upto in result.admitted.items():
        say("  已破例接收：副本 {o} 的变更至第 {n} 条（已记入审计）", "  admitted: replica {o}'s changes up to no. {n} (audited)",
            o=origin[-8:], n=upto)
