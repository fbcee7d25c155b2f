"""`grid risk` (who is flagged and why) and `grid due` (who is due for a visit)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from grid_cli.commands.common import console, open_ledger, print_json, say
from grid_cli.i18n import lang, tr

STYLE = {"red": "bold red", "yellow": "yellow", "green": "green"}
LABEL = {"red": ("红", "red"), "yellow": ("黄", "yellow"), "green": ("绿", "green")}


def grade_label(grade: str) -> str:
    zh, en = LABEL[grade]
    return f"[{STYLE[grade]}]{tr(zh, en)}[/]"


def show_findings(findings, grade: str) -> None:
    """One household's findings, worst first, each with the numbers that triggered it."""
    console.print(tr("风险等级：", "Risk grade: ") + grade_label(grade))
    if not findings:
        say("未发现风险", "No risk found")
    for f in findings:
        console.print(f"  [{STYLE[f.grade]}]●[/] ", end="")
        console.print(f.message(lang()), markup=False)


def warn_no_threshold(result) -> None:
    """A hub before the county's rules arrive has no threshold: say which rules waited for it."""
    if result.threshold is None:
        from grid_cli.commands.common import warn

        warn("{y}年还没有监测标准，收入类规则（低于或接近监测标准、重点关注线、风险消除）未判断"
             " — 合并县里下发的规则同步包，或用 grid rules set threshold 7600 设置",
             "no {y} monitoring threshold yet: the income rules (below or near the threshold, focus line, elimination)"
             " were not run — merge the county's rules bundle, or set one with `grid rules set threshold 7600`",
             y=result.year)


def flagged(result, *, grade: str | None = None, rule: str | None = None, village: str | None = None) -> list[tuple]:
    """(context, grade, findings) for each household with findings, red first."""
    by_household = result.by_household()
    household_grades = result.grades()
    rows = []
    for ctx in result.contexts:
        found = by_household.get(ctx.household_id, [])
        if rule:
            found = [f for f in found if f.rule == rule]
        g = household_grades[ctx.household_id]
        if not found or (grade and g != grade) or (village and ctx.village != village):
            continue
        rows.append((ctx, g, found))
    order = {"red": 0, "yellow": 1, "green": 2}
    rows.sort(key=lambda r: (order[r[1]], r[0].village or "", r[0].hh_no))
    return rows


def risk_table(ledger, result, rows):
    from rich.table import Table

    standard = tr("{y}年监测标准 {t:,} 元", "{y} threshold {t:,} yuan", y=result.year, t=result.threshold) \
        if result.threshold is not None else tr("{y}年尚无监测标准", "no {y} threshold yet", y=result.year)
    table = Table(title=tr("{s} · 截至 {d} · {n} 户", "{s} · as of {d} · {n} households",
                           s=standard, d=result.on, n=len(rows)), show_lines=True)
    table.add_column(tr("等级", "Grade"), no_wrap=True)
    table.add_column(tr("户编号", "No."), no_wrap=True)
    table.add_column(tr("户主", "Head"), no_wrap=True)
    table.add_column(tr("自然村", "Village"), no_wrap=True)
    table.add_column(tr("原因", "Why"), overflow="fold")
    heads = {r["household_id"]: r["name"] for r in ledger.query(
        "SELECT household_id, name FROM members WHERE relation = '户主' AND status = '正常'")}
    for ctx, g, found in rows:
        table.add_row(grade_label(g), ctx.hh_no, heads.get(ctx.household_id, ""), ctx.village or "",
                      "\n".join("•" + f.message(lang()) for f in found))
    return table


def risk_command(
    grade: Annotated[Optional[str], typer.Option("--grade", help="等级 grade: red | yellow | green (红/黄/绿)")] = None,
    rule: Annotated[Optional[str], typer.Option("--rule", help="只看该规则 only this rule (ids: grid rules show)")] = None,
    village: Annotated[Optional[str], typer.Option("--village", help="只看该自然村 only this 自然村")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False,
) -> None:
    """List flagged households with the reasons, worst first. Exit 1 when anything is flagged."""
    from grid_cli.findings import assess
    from grid_cli.rules.registry import RULES

    grades = {"红": "red", "黄": "yellow", "绿": "green"}
    wanted = grades.get(grade, grade) if grade else None
    if wanted and wanted not in STYLE:
        raise typer.BadParameter("--grade red | yellow | green")
    if rule and rule not in RULES:
        raise typer.BadParameter(tr("没有规则 {r}；见 grid rules show", "no rule {r}; see `grid rules show`", r=rule))
    ledger = open_ledger()
    result = assess(ledger)
    rows = flagged(result, grade=wanted, rule=rule, village=village)
    if as_json:
        print_json({"year": result.year, "threshold": result.threshold, "as_of": result.on.isoformat(),
                    "households": [{"hh_no": c.hh_no, "household_id": c.household_id, "village": c.village, "grade": g,
                                    "findings": [f.as_dict() for f in fs]} for c, g, fs in rows]})
    else:
        console.print(risk_table(ledger, result, rows))
    warn_no_threshold(result)
    if rows:
        raise typer.Exit(1)


def due_command(
    within: Annotated[int, typer.Option("--within", help="另列出 N 天内到期的 also those due in the next N days")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False,
) -> None:
    """Who is due for a visit: 八必访 groups first, then the longest unvisited."""
    import datetime as dt

    from grid_cli.findings import assess

    ledger = open_ledger()
    result = assess(ledger, on=None)
    if within:
        later = assess(ledger, on=result.on + dt.timedelta(days=within))
        findings = later.findings
    else:
        findings = result.findings
    due = [f for f in findings if f.rule == "visit_overdue"]
    due.sort(key=lambda f: (f.severity != "high", -(f.facts.get("days") or 10**6), f.hh_no))
    if as_json:
        print_json([f.as_dict() for f in due])
        return
    from rich.table import Table

    table = Table(title=tr("待走访 {n} 户", "{n} households due for a visit", n=len(due)))
    table.add_column(tr("户编号", "No."), no_wrap=True)
    table.add_column(tr("原因", "Why"), overflow="fold")
    for f in due:
        table.add_row(("[bold red]! [/]" if f.severity == "high" else "  ") + f.hh_no, f.message(lang()))
    console.print(table)
