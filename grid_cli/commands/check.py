"""`grid check`: the data-quality catalogue (疑点核查) over this ledger's area; list, explain, exempt, set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands import common  # common.console when printing rich: --json never loads it
from grid_cli.commands.common import JsonOutOption, YearOption, open_ledger, print_json, say, year_or_current
from grid_cli.i18n import lang, tr

app = typer.Typer(rich_markup_mode=None, invoke_without_command=True)


@app.callback()
def check_command(
    ctx: typer.Context,
    only: Annotated[Optional[list[str]], typer.Option("--only", help="只运行该项检查 run only this check (repeatable)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="写出 FILE.xlsx write FILE.xlsx: a summary and one sheet per check, masked, printable")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output (with --rows: the rows too)")] = False,
    rows: Annotated[bool, typer.Option("--rows", help="列出每一行 with --json: every offending row (masked)")] = False,
) -> None:
    """数据质量检查 — run every check over this ledger's area.

    逐项列出问题；有问题则退出码 1 the problems per check (a hub: its whole area); exit 1 when any check finds
    something."""
    if ctx.invoked_subcommand is not None:
        return
    from grid_cli.checks.runner import run

    json_out = out if out is not None and out.suffix.lower() == ".json" else None
    book = None if json_out else out
    as_json = as_json or json_out is not None
    if out is not None:
        from grid_cli.exports.files import check_target

        if out.suffix.lower() not in (".xlsx", ".json"):
            raise typer.BadParameter(tr("--out 须为 .xlsx 或 .json 文件", "--out must be an .xlsx or a .json file"))
        check_target(out)
    ledger = open_ledger()
    report = run(ledger, only=only, collect=bool(book) or rows)
    if book is not None:
        from grid_cli.checks.book import check_book
        from grid_cli.place import address_of
        from grid_cli.exports.xlsx import write_xlsx

        write_xlsx(check_book(report, address_of(ledger).label()), book)
    if as_json:
        print_json({"as_of": report.on.isoformat(), "households": report.households, "problems": report.total,
                    "checks": [r.as_dict(problems=rows) for r in report.results]}, json_out)
    else:
        _table(report)
        if out is not None:
            say("已写出检查结果：{f}（证件号码已脱敏）", "Written: {f} (ID numbers masked)", f=out)
    if report.total:
        raise typer.Exit(1)


def _table(report) -> None:
    from rich.table import Table

    table = Table(title=tr("数据质量检查：{n} 户，问题 {p} 项（截至 {d}）", "Data-quality checks: {n} households, {p} problems (as of {d})",
                           n=report.households, p=report.total, d=report.on))
    for zh, en in (("检查项", "check"), ("说明", "what"), ("全国疑点编号", "national no."), ("问题", "problems"), ("豁免", "exempted")):
        table.add_column(tr(zh, en), overflow="fold", no_wrap=en == "check")
    for r in report.results:
        table.add_row(r.id, r.title[0 if lang() == "zh" else 1], " ".join(r.national), str(r.count) if r.count else "·",
                      str(r.exempted) if r.exempted else "")
    common.console.print(table, markup=False)


@app.command("list")
def list_command(as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False, out: JsonOutOption = None) -> None:
    """检查目录 — each check, its area, national numbers and settings."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.checks.catalogue import rows as catalogue_rows

    found = catalogue_rows(open_ledger())
    if as_json:
        print_json(found, out)
        return
    from rich.table import Table

    table = Table(title=tr("数据质量检查项 {n} 个", "{n} data-quality checks", n=len(found)))
    for zh, en in (("检查项", "check"), ("类别", "area"), ("说明", "what"), ("全国疑点编号", "national no."), ("设置", "settings")):
        table.add_column(tr(zh, en), overflow="fold")
    for r in found:
        table.add_row(r["check"], r["area"], r["title"], " ".join(r["national"]), r["settings"])
    common.console.print(table, markup=False)


@app.command("explain")
def explain_command(check: Annotated[str, typer.Argument(help="检查编号 a check id (grid check list)")]) -> None:
    """检查说明 — what a check looks at, with examples."""
    import inspect

    from grid_cli.checks.registry import CHECKS

    if check not in CHECKS:
        raise typer.BadParameter(tr("没有检查项 {c}；见 grid check list", "no check {c}; see `grid check list`", c=check))
    module = CHECKS[check]
    common.console.print(f"{check} — {module.TITLE[0 if lang() == 'zh' else 1]}", markup=False)
    common.console.print(inspect.getdoc(module) or "", markup=False)


@app.command("exempt")
def exempt_command(
    check: Annotated[str, typer.Argument(help="检查编号 a check id")],
    household: Annotated[str, typer.Argument(help="户编号 household number")],
    reason: Annotated[str, typer.Option("--reason", help="豁免理由 why the household is right as it is (kept with the exemption)")] = "",
    lift: Annotated[bool, typer.Option("--lift", help="撤销豁免 lift an exemption given earlier")] = False,
) -> None:
    """豁免 — exempt one household from one check, with the reason.

    随农户同步，记入审计 travels with the household, audited."""
    from grid_cli.checks.exemptions import exempt

    done = exempt(open_ledger(), check, household, reason, lift=lift)
    if lift:
        say("已取消 {h} 在 {c} 上的豁免", "exemption of {h} from {c} lifted", h=done["hh_no"], c=check)
    else:
        say("已豁免 {h}：{c}（{r}）", "{h} exempted from {c} ({r})", h=done["hh_no"], c=check, r=done["reason"])


@app.command("exemptions")
def exemptions_command(as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False, out: JsonOutOption = None) -> None:
    """豁免列表 — the exemptions in force here (a hub: its whole area)."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.checks.exemptions import listing

    found = listing(open_ledger())
    if as_json:
        print_json(found, out)
        return
    from rich.table import Table

    table = Table(title=tr("豁免 {n} 项", "{n} exemptions", n=len(found)))
    for zh, en in (("检查项", "check"), ("户编号", "No."), ("网格", "grid"), ("日期", "date"), ("原因", "reason")):
        table.add_column(tr(zh, en), overflow="fold")
    for r in found:
        table.add_row(r["check"], r["hh_no"], r["grid"] or "", r["date"] or "", r["reason"])
    common.console.print(table, markup=False)


@app.command("set")
def set_command(
    check: Annotated[str, typer.Argument(help="检查编号 a check id")],
    param: Annotated[str, typer.Argument(help="设置项 a setting: national, enabled, or the check's own (grid check list)")],
    value: Annotated[str, typer.Argument(help="值 value — national: numbers separated by commas; true/false; a number")],
    year: YearOption = None,
) -> None:
    """检查设置 — change one setting of a check for the year.

    例如全国疑点编号；随规则下发 for example its national numbers; it travels down with the rules."""
    from grid_cli.checks.catalogue import set_setting

    ledger = open_ledger()
    done = set_setting(ledger, check, param, value, year_or_current(ledger, year))
    say("{y}年 {c}.{p} = {v}", "{y}: {c}.{p} = {v}", y=done["year"], c=check, p=param, v=done["value"])
