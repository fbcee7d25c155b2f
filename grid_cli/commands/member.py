"""`grid member ...`: add, edit, status."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from grid_cli.commands.common import need, open_ledger, say
from grid_cli.commands.common import given_fields
from grid_cli.commands.household import SetOption, changed_fields
from grid_cli.errors import UsageError
from grid_cli.i18n import tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)


@app.command("add")
def add(
    household: Annotated[str, typer.Argument(help="户编号或记录编号 household number or record id")],
    name: Annotated[Optional[str], typer.Option("--name", help="姓名 name")] = None,
    id_number: Annotated[Optional[str], typer.Option("--id", help="证件号码 ID number (18 characters, or 20 for a disability certificate)")] = None,
    relation: Annotated[Optional[str], typer.Option("--relation", help="与户主关系 relation to the head, e.g. 配偶 之子 之女")] = None,
    sets: SetOption = None,
) -> None:
    """新增成员 — add a member to a household."""
    from grid_cli import households

    ledger = open_ledger()
    name = need(name, "--name", tr("姓名", "Name"))
    raw = given_fields("member", sets, name=name, id_number=id_number, relation=relation)
    households.add_member(ledger, household, raw)
    say("已添加成员 {n}", "Member {n} added", n=name)


@app.command("edit")
def edit(
    member: Annotated[str, typer.Argument(help="证件号码或成员编号 ID number or member id")],
    sets: SetOption = None,
) -> None:
    """修改成员 — change a member's fields.

    例 for example: --set 健康状况=长期慢性病 --set 是否参加城乡居民基本医疗保险=是"""
    from grid_cli import households

    raw = given_fields("member", sets)
    if not raw:
        raise UsageError("没有要修改的字段（用 --set 字段=值）", "nothing to change (use --set field=value)")
    changed = households.edit_member(open_ledger(), member, raw)
    say("已修改：{f}", "Changed: {f}", f=changed_fields("member", changed)) if changed else say("无变化", "No change")


@app.command("status")
def status(
    member: Annotated[str, typer.Argument(help="证件号码或成员编号 ID number or member id")],
    new_status: Annotated[str, typer.Argument(help="迁出 moved_out | 死亡 deceased | 注销 deregistered | 正常 active")],
    reason: Annotated[str, typer.Option("--reason", help="原因 reason")] = "",
) -> None:
    """成员状态 — moved out, deceased, deregistered (never deleted)."""
    from grid_cli import households

    changed = households.set_member_status(open_ledger(), member, new_status, reason=reason)
    say("成员状态：{s}", "Member status: {s}", s=changed.get("status", new_status))
