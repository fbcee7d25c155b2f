"""`grid dept`: department lists (部门筛查预警): import, kinds, lists, findings, clues, confirm, dismiss."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands import common  # common.console when printing rich: --json never loads it
from grid_cli.commands.common import JsonOutOption, open_ledger, print_json, say
from grid_cli.i18n import lang, tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

KIND_HELP = "部门 department: 民政/dibao, 医保/medical, 教育/school, 住建/housing, 残联/disability, 人社/employment"


@app.command("import")
def import_command(
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    file: Annotated[Path, typer.Argument(help="名单文件 .xlsx or .csv keyed by 证件号码 (or 户编号); see grid dept kinds")],
    month: Annotated[str, typer.Option("--month", help="名单月份 the list's month, e.g. 2026-10")],
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="跳过有误的行 import the good rows, write the bad ones to a file")] = False,
    rejects: Annotated[Optional[Path], typer.Option("--rejects", help="有误的行写到 where to write the rejected rows (default: FILE.rejects.csv)")] = None,
    complete: Annotated[bool, typer.Option("--complete", help="完整学籍名单 教育 only: the roll is complete for this area; a compulsory-age child not on it is a finding")] = False,
    village: Annotated[Optional[list[str]], typer.Option("--village", help="完整名单覆盖的村 with --complete: the villages the roll covers (repeatable; default: this whole area)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读的汇总 machine-readable summary")] = False,
    out: JsonOutOption = None,
) -> None:
    """导入部门名单 — one department's list for a month.

    有一行不对就一行也不保存（--skip-invalid 除外） nothing is kept if any row is bad, unless --skip-invalid."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.commands.imports import show_problems
    from grid_cli.dept.importer import ListRefused, import_list
    from grid_cli.dept.kinds import KINDS

    ledger = open_ledger()
    try:
        report = import_list(ledger, kind, file, month, skip_invalid=skip_invalid, rejects=rejects, complete=complete,
                             villages=village)
    except ListRefused as refused:
        show_problems(refused.report.problems)
        raise
    if as_json:
        summary = {k: v for k, v in vars(report).items() if k != "problems"}
        summary["problems"] = [{"sheet": p.sheet, "row": p.row, "column": p.column, "reason": p.reason(lang())}
                               for p in report.problems]
        print_json(summary, out)
        return
    source = KINDS[report.kind]
    if report.unchanged:
        from grid_cli.clock import show_time

        say("{d} {m} 名单已于 {t} 导入过，内容相同，未作任何改动", "this {d} list of {m} was imported on {t}; nothing changed",
            d=tr(source.zh, source.en), m=report.month, t=show_time(report.imported_at))
        return
    if report.problems:
        show_problems(report.problems)
    say("{d} {m} 名单：{r} 行，对应本辖区农户 {a} 行（新增记录 {n}），线索 {c} 行（不在本辖区任何一户）",
        "{d} list of {m}: {r} rows, {a} matched to households here ({n} new), {c} clue(s) (in no household of this area)",
        d=tr(source.zh, source.en), m=report.month, r=report.rows - report.rejected_rows, a=report.matched,
        n=report.added, c=report.clues)
    if report.complete is not None:
        say("完整学籍名单（{a}）：义务教育年龄的成员中 {n} 人不在名单上", "complete roll ({a}): {n} member(s) of compulsory-school age not on it",
            a="、".join(report.complete) or tr("本辖区全部", "this whole area"), n=report.absent)
    if report.replaced:
        say("已替换同月的上一份名单（撤回其不再列出的 {w} 行）", "replaces the earlier list of the month ({w} rows it no longer holds withdrawn)",
            w=report.withdrawn)
    if report.rejects_file:
        say("有 {n} 行未导入，已写入 {f}（改正后可再次导入）", "{n} rows not imported, written to {f} (fix and import again)",
            n=report.rejected_rows, f=report.rejects_file)
    if report.unused_columns:
        common.console.print(tr("已保存但未比对的列：", "Columns kept but not compared: ") + "、".join(report.unused_columns), markup=False)
    say("比对结果见 grid dept findings", "See what they say with: grid dept findings")


@app.command("kinds")
def kinds_command(as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False, out: JsonOutOption = None) -> None:
    """名单种类 — what each department sends, and its columns."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.dept.kinds import HH, ID, KINDS, NAME

    rows = []
    for k in KINDS.values():
        key = [ID.zh] + ([HH.zh] if k.by_household else [])
        rows.append({"kind": k.id, "department": k.zh, "key": key, "required": [c.zh for c in k.columns if c.required],
                     "optional": [NAME.zh] + [c.zh for c in k.columns if not c.required], "says": tr(*k.describe)})
    if as_json:
        print_json(rows, out)
        return
    from rich.table import Table

    table = Table(title=tr("部门名单及其列", "Department lists and their columns"), show_lines=True)
    for zh, en in (("名单", "kind"), ("按", "keyed by"), ("必有列", "required"), ("可有列", "optional"), ("每行说明", "each row says")):
        table.add_column(tr(zh, en), overflow="fold")
    for r in rows:
        table.add_row(f"{r['department']}/{r['kind']}", tr(" 或 ", " or ").join(r["key"]), "、".join(r["required"]),
                      "、".join(r["optional"]), r["says"])
    common.console.print(table, markup=False)


@app.command("lists")
def lists_command(as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False, out: JsonOutOption = None) -> None:
    """已有名单 — the lists held here, imported or received from above.

    本账本导入的（含线索）或随农户从上级收到的 imported here (with their clues) or received with households
    from above."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.clock import show_time
    from grid_cli.dept.kinds import KINDS
    from grid_cli.dept.lists import lists

    found = lists(ledger := open_ledger())
    ledger.close()
    if as_json:
        print_json(found, out)
        return
    from rich.table import Table

    table = Table(title=tr("部门名单", "Department lists"))
    for zh, en in (("部门", "department"), ("月份", "month"), ("行", "rows"), ("本辖区", "matched"), ("线索", "clues"),
                   ("完整名单", "complete"), ("来源", "source")):
        table.add_column(tr(zh, en), overflow="fold")
    for r in found:
        k = KINDS.get(r["kind"])
        source = (tr("导入于 ", "imported ") + show_time(r["imported_at"], seconds=False)) if r["source"] == "imported" \
            else tr("随农户下发", "received from above")
        if r.get("superseded_by"):
            source += tr("（已被替换）", " (replaced)")
        whole = "" if r["complete"] is None else "、".join(r["complete"]) or tr("全部", "all")
        table.add_row(tr(k.zh, k.en) if k else r["kind"], r["month"], str(r["rows"]), str(r["matched"]), str(r["clues"]), whole,
                      source)
    common.console.print(table, markup=False)


@app.command("findings")
def findings_command(
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False,
    out: JsonOutOption = None,
) -> None:
    """部门比对 — what the lists say that the ledger does not, and clues.

    每户的比对结果（走访核实前为黄色）和线索（名单上但不在本辖区任何一户的人）；有则退出码 1 per household
    (yellow until a visit confirms it), and the clues: people on a list in no household of this area.
    Exit 1 when there are any."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.dept.lists import clues
    from grid_cli.findings import assess
    from grid_cli.idcard import mask_id

    ledger = open_ledger()
    result = assess(ledger)
    found = [f for f in result.findings if f.rule == "department"]
    leads = clues(ledger)
    if as_json:
        print_json({"as_of": result.on.isoformat(), "findings": [f.as_dict() for f in found],
                    "clues": [{**c, "id_number": mask_id(c["id_number"])} for c in leads]}, out)
    else:
        from rich.table import Table

        from grid_cli.commands.common import STYLE, grade_label

        table = Table(title=tr("部门比对：{n} 项（截至 {d}）", "Department findings: {n} (as of {d})", n=len(found), d=result.on))
        for zh, en in (("等级", "grade"), ("户编号", "No."), ("编号", "ref"), ("说明", "what the list says")):
            table.add_column(tr(zh, en), overflow="fold")
        for f in found:
            table.add_row(grade_label(f.grade), f.hh_no, f.facts.get("ref", ""), f"[{STYLE[f.grade]}]" + _plain(f.message(lang())) + "[/]")
        common.console.print(table)
        if leads:
            from grid_cli.dept.kinds import KINDS

            clue_table = Table(title=tr("线索：名单上但不在本辖区任何一户（{n} 人）", "Clues: on a list, in no household of this area ({n})",
                                        n=len(leads)))
            for zh, en in (("部门", "department"), ("月份", "month"), ("行", "row"), ("姓名", "name"), ("证件号码", "ID number"),
                           ("户编号", "No.")):
                clue_table.add_column(tr(zh, en), overflow="fold")
            for c in leads:
                k = KINDS[c["kind"]]
                clue_table.add_row(tr(k.zh, k.en), c["month"], str(c["row"]), c["name"] or "", mask_id(c["id_number"]),
                                   c["hh_no"] or "")
            common.console.print(clue_table, markup=False)
        say("走访后用 grid dept confirm|dismiss 户编号 编号 记录核实结果",
            "After the visit, record what it found: grid dept confirm|dismiss HH REF")
    if found or leads:
        raise typer.Exit(1)


def _plain(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _review(verdict: str):
    def command(
        household: Annotated[str, typer.Argument(help="户编号 household number")],
        ref: Annotated[str, typer.Argument(help="编号 the reference grid dept findings shows")],
        visit: Annotated[Optional[str], typer.Option("--visit", help="核实的走访日期 the visit that checked it (default: the latest)")] = None,
        note: Annotated[str, typer.Option("--note", help="走访发现 what the visit found")] = "",
    ) -> None:
        from grid_cli.dept.review import review

        done = review(open_ledger(), household, ref, verdict, visit_date=visit, note=note)
        if verdict == "confirmed":
            say("已确认 {h} 的 {r}（{v} 走访核实）", "confirmed {r} of {h} (checked at the visit of {v})", h=done["hh_no"],
                r=done["ref"], v=done["visit_date"])
        else:
            say("已排除 {h} 的 {r}（{v} 走访核实）", "dismissed {r} of {h} (checked at the visit of {v})", h=done["hh_no"],
                r=done["ref"], v=done["visit_date"])
    return command


app.command("confirm", help="确认 — a visit found the list right: the finding turns red.")(_review("confirmed"))
app.command("dismiss", help="排除 — a visit found the list wrong: the finding is dropped.")(_review("dismissed"))
