"""`grid trust issue | add | list | revoke`: whose bundles this ledger takes, and whom it seals bundles for."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import JsonOutOption, console, level_name, open_ledger, print_json, say, writable_file_or_folder
from grid_cli.commands.keys import write_public
from grid_cli.i18n import tr

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
    """已信任的密钥 — the trusted keys, with revocations."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from rich.table import Table

    from grid_cli.security.trust import trusted

    rows = trusted(open_ledger())
    if as_json:
        print_json(rows, out)
        return
    if not rows:
        say("尚未信任任何密钥（用 grid enroll / grid trust add）", "No trusted keys yet (use `grid enroll` / `grid trust add`)")
        return
    table = Table(title=tr("已信任的密钥", "Trusted keys"))
    for zh, en in (("层级", "level"), ("编码", "code"), ("副本", "replica"), ("指纹", "fingerprint"),
                   ("登记时间", "added"), ("作废时间", "revoked")):
        table.add_column(tr(zh, en))
    for r in rows:
        table.add_row(level_name(r["level"]), r["code"], r["replica"][-8:], r["fingerprint"], r["added_at"], r["revoked_at"] or "")
    console.print(table, markup=False)


@app.command("revoke")
def revoke(
    what: Annotated[str, typer.Argument(help="编码、副本编号或指纹 a place code, replica id or fingerprint")],
    at: Annotated[Optional[str], typer.Option("--at", help="作废时间 ISO time (default: now); bundles signed after it are refused")] = None,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """作废密钥 — revoke a trusted key (a lost or stolen laptop).

    此后签发的同步包一律拒收 bundles it signed after the revocation are refused."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.security.trust import revoke as do_revoke

    rows = do_revoke(open_ledger(), what, at=at)
    if as_json:
        print_json(rows, out)
        return
    for r in rows:
        say("已作废 {level} {code} 的密钥（{fp}），自 {at} 起签发的同步包将被拒收",
            "Revoked {level} {code}'s key ({fp}); bundles signed after {at} are refused",
            level=level_name(r["level"]), code=r["code"], fp=r["fingerprint"], at=r["revoked_at"])
