"""`grid household ...`: add, edit, show, list, search, status."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from grid_cli.commands.common import (JsonOutOption, ask, console, field_label, interactive, need, note_unmasked,
                                     given_fields, open_ledger, print_json, say)
from grid_cli.commands.render import household_table, masked, show_household
from grid_cli.errors import UsageError
from grid_cli.i18n import tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
TIMELINE_SHOWN = 15

SetOption = Annotated[Optional[list[str]], typer.Option("--set", help="字段=值 field=value, e.g. --set 户类型=脱贫户 (repeatable)")]
JsonOption = Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output (masked unless --unmasked)")]
UnmaskedOption = Annotated[bool, typer.Option("--unmasked", help="显示完整证件号码和电话 full ID numbers and phones (recorded)")]


def changed_fields(entity: str, changed) -> str:
    """The changed fields by their official names."""
    return tr("、", ", ").join(field_label(entity, f) for f in changed)


@app.command("add")
def add(
    hh_no: Annotated[Optional[str], typer.Option("--hh-no", help="户编号 household number")] = None,
    head_name: Annotated[Optional[str], typer.Option("--head", help="户主姓名 head's name")] = None,
    head_id: Annotated[Optional[str], typer.Option("--head-id", help="户主证件号码 head's ID number")] = None,
    village: Annotated[Optional[str], typer.Option("--village", help="自然村 natural village")] = None,
    group_no: Annotated[Optional[str], typer.Option("--group", help="组 group")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="联系电话 phone")] = None,
    hh_type: Annotated[Optional[str], typer.Option("--type", help="户类型 household type: 脱贫户 | 一般农户")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="监测对象类别 monitoring category")] = None,
    flag: Annotated[Optional[list[str]], typer.Option("--flag", help="户标识 flag: 易地搬迁 | 低保 | 特困 (repeatable)")] = None,
    grid: Annotated[Optional[str], typer.Option("--grid", help="乡镇/县账本：所属网格 at a township or county: its grid")] = None,
    sets: SetOption = None,
) -> None:
    """新增农户 — add a household and its head (户主)."""
    from grid_cli import households
    from grid_cli.fields import BY_NAME

    ledger = open_ledger()
    grid = households.grid_for_new(ledger, grid)  # before anything is asked: a hub must name the grid
    hh_no = need(hh_no, "--hh-no", tr("户编号", "Household number"))
    head_name = need(head_name, "--head", tr("户主姓名", "Head's name"))
    if head_id is None and interactive():
        head_id = ask(tr("户主证件号码（可空）", "Head's ID number (may be empty)"),
                      lambda t: BY_NAME["member"]["id_number"].parse(t), required=False)
    raw = given_fields("household", sets, hh_no=hh_no, village=village, group_no=group_no, phone=phone,
                  hh_type=hh_type, category=category, flags=flag)
    households.add_household(ledger, raw, {"name": head_name, "id_number": head_id, "phone": phone}, grid=grid)
    say("已添加农户 {n}（户主 {h}）", "Household {n} added (head {h})", n=hh_no, h=head_name)


@app.command("edit")
def edit(
    household: Annotated[str, typer.Argument(help="户编号或记录编号 household number or record id")],
    sets: SetOption = None,
    village: Annotated[Optional[str], typer.Option("--village", help="自然村 natural village")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="联系电话 phone")] = None,
    hh_type: Annotated[Optional[str], typer.Option("--type", help="户类型 household type")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="监测对象类别 monitoring category")] = None,
) -> None:
    """修改农户 — change a household's fields."""
    from grid_cli import households

    ledger = open_ledger()
    raw = given_fields("household", sets, village=village, phone=phone, hh_type=hh_type, category=category)
    if not raw:
        raise UsageError("没有要修改的字段（用 --set 字段=值）", "nothing to change (use --set field=value)")
    changed = households.edit_household(ledger, household, raw)
    if changed:
        say("已修改：{f}", "Changed: {f}", f=changed_fields("household", changed))
    else:
        say("无变化", "No change")


@app.command("show")
def show(
    household: Annotated[str, typer.Argument(help="户编号或记录编号 household number or record id")],
    as_json: JsonOption = False,
    out: JsonOutOption = None,
    unmasked: UnmaskedOption = False,
) -> None:
    """查看农户 — a household, its members, findings and timeline.

    成员（证件号码、电话已脱敏）、当前风险提示、走访和帮扶记录 members (ID numbers and phones masked), current
    findings, the visits and steps."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli import households
    from grid_cli.findings import assess
    from grid_cli.i18n import lang
    from grid_cli.standing import current
    from grid_cli.timeline import timeline

    ledger = open_ledger()
    detail = households.detail(ledger, household)
    result = assess(ledger, household_ids=[detail["id"]])
    grade = result.grades().get(detail["id"], "green")
    history = timeline(ledger, detail["id"])
    if unmasked:  # recorded before it is shown, as the sync lists do: a reader may stop midway, after the IDs
        note_unmasked(ledger, f"household show {detail['hh_no']}")
    if as_json:
        standing = current(ledger, detail["id"])
        print_json({**masked(detail, unmasked), "grade": grade, "findings": [f.as_dict() for f in result.findings],
                    "monitoring": {"state": standing.state, "monitored": standing.monitored, "eliminated": standing.eliminated,
                                   "category": standing.category, "risks": list(standing.risks),
                                   "identified": standing.identified, "eliminated_month": standing.eliminated_month,
                                   "helpers": [h.get("name") for h in standing.helpers],
                                   "measures": [{"id": m.id, "kind": m.kind, "due": m.due} for m in standing.measures]},
                    "timeline": [{"date": e.date, "kind": e.kind, "id": e.id, "text": e.text(lang())} for e in history]}, out)
    else:
        from grid_cli.commands.common import show_findings

        show_household(detail, unmasked)
        show_findings(result.findings, grade)
        if history:
            console.print(tr("[bold]记录[/]（最近在前）", "[bold]Timeline[/] (newest first)"))
            for entry in history[:TIMELINE_SHOWN]:
                console.print(f"  {entry.date}  ", end="")
                console.print(f"{entry.text(lang())}  [dim]{entry.id[-8:]}[/]", soft_wrap=True)
            if len(history) > TIMELINE_SHOWN:
                console.print(tr("  ……更早的 {n} 条见 --json", "  ... {n} earlier entries in --json", n=len(history) - TIMELINE_SHOWN))


@app.command("list")
def list_(
    village: Annotated[Optional[str], typer.Option("--village", help="只看该自然村 only this 自然村")] = None,
    all_: Annotated[bool, typer.Option("--all", help="含迁出、注销、合并的户 include moved-out, deregistered and merged households")] = False,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """农户列表 — the households in this ledger."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli import households

    rows = households.list_households(open_ledger(), village=village, include_inactive=all_)
    if as_json:
        print_json([masked(r) for r in rows], out)
        return
    console.print(household_table(rows, tr("共 {n} 户", "{n} households", n=len(rows))))


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="姓名、户编号或证件号码尾号 name, household number or ID tail")],
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """查找农户 — by a member's name, the 户编号 or an ID number's end."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli import households

    rows = households.search(open_ledger(), text)
    if as_json:
        print_json([masked(r) for r in rows], out)
        return
    if not rows:
        say("没有找到“{t}”", "Nothing found for '{t}'", t=text)
        raise typer.Exit(1)
    console.print(household_table(rows))


@app.command("status")
def status(
    household: Annotated[str, typer.Argument(help="户编号或记录编号 household number or record id")],
    new_status: Annotated[str, typer.Argument(help="迁出 moved_out | 注销 deregistered | 合并重复 merged | 正常 active")],
    into: Annotated[Optional[str], typer.Option("--into", help="合并到 for merged: the household kept")] = None,
    reason: Annotated[str, typer.Option("--reason", help="原因 reason")] = "",
) -> None:
    """农户状态 — moved out, deregistered, merged (never deleted)."""
    from grid_cli import households

    ledger = open_ledger()
    changed = households.set_household_status(ledger, household, new_status, reason=reason, merged_into=into)
    say("户 {h} 状态：{s}", "Household {h} status: {s}", h=household, s=changed.get("status", new_status))
