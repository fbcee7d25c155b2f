"""`grid risk` (who is flagged and why) and `grid due` (who is due for a visit).

A grid ledger lists its households in a table. A hub (township, county) prints a summary by place
(`--by township|grid|village`) unless asked for a list (`--list`, `--grid`, `--village`, `--limit N`),
which is a plain table, one line per finding, that a pager shows as it comes. `--json` streams.
"""

from __future__ import annotations

from itertools import islice
from typing import Annotated, Iterable, Optional

import typer

from grid_cli.commands import common  # common.console when printing rich: a hub's lists and --json never load it
from grid_cli.commands.common import STYLE, JsonOutOption, grade_label, open_ledger, warn_no_threshold, write_json
from grid_cli.i18n import GRADE_LABEL, lang, tr

BY = {"grid": "village", "township": "grid", "county": "township"}  # a hub's summary: the places one level down
PLACE_LABEL = {"township": ("乡镇", "Township"), "grid": ("网格", "Grid"), "village": ("自然村", "Village")}
LIST_HINT = ("名单：--list，或 --grid / --village 某地，--limit N 只看前 N 户；--json 全部数据",
             "The list: --list, or --grid / --village for one place, --limit N for the first N; --json for everything")


def risk_title(stored, n: int | None = None) -> str:
    text = tr("{y}年监测标准 {t:,} 元 · 截至 {d}", "{y} threshold {t:,} yuan · as of {d}", y=stored.year, t=stored.threshold,
              d=stored.on) if stored.threshold is not None else \
        tr("{y}年尚无监测标准 · 截至 {d}", "no {y} threshold yet · as of {d}", y=stored.year, d=stored.on)
    return text + (tr(" · {n} 户", " · {n} households", n=n) if n is not None else "")


def risk_table(stored, rows: list):
    """A grid's flagged households (lists.Flagged) as a rich table."""
    from rich.table import Table

    table = Table(title=risk_title(stored, len(rows)), show_lines=True)
    table.add_column(tr("等级", "Grade"), no_wrap=True)
    table.add_column(tr("户编号", "No."), no_wrap=True)
    table.add_column(tr("户主", "Head"), no_wrap=True)
    table.add_column(tr("自然村", "Village"), no_wrap=True)
    table.add_column(tr("原因", "Why"), overflow="fold")
    for r in rows:
        table.add_row(grade_label(r.grade), r.hh_no or "", r.head or "", r.village or "",
                      "\n".join("•" + f.message(lang()) for f in r.findings))
    return table


def _level(ledger) -> str:
    return ledger.meta("level") or "grid"


def _area(ledger, township, grid, village):
    from grid_cli.errors import UsageError
    from grid_cli.findings import Area

    # a village that matches nothing lists nothing (as it always has); a grid or township is a hub's code
    for (zh, en), value, sql in ((("乡镇", "township"), township, "SELECT 1 FROM scope WHERE level = 'grid' AND parent = ?"),
                                 (("网格", "grid"), grid, "SELECT 1 FROM households WHERE grid = ? LIMIT 1")):
        if value and not ledger.conn.execute(sql, (value,)).fetchone():
            raise UsageError(f"本账本没有{zh}“{value}”", f"this ledger has no {en} '{value}'")
    return Area(township, grid, village)


def _by(ledger, by: str | None) -> str:
    if by is None:
        return BY[_level(ledger)]
    if by not in ("township", "grid", "village"):
        raise typer.BadParameter("--by township | grid | village")
    return by


def _progress():
    from grid_cli.commands.render import progress_bar

    return progress_bar(tr("评估中", "assessing"))


def reassess(ledger) -> dict[str, int]:
    """Bring the stored findings up to date (a progress bar while it takes); households per grade."""
    from grid_cli.findings import Area, current
    from grid_cli.lists import summary

    with _progress() as progress:
        current(ledger, progress=progress, required=False)
    places = summary(ledger, Area(), "grid")["places"]
    return {g: sum(p[g] for p in places) for g in ("red", "yellow", "green")}


GradeOption = Annotated[Optional[str], typer.Option("--grade", help="等级 grade: red | yellow | green (红/黄/绿)")]
TownshipOption = Annotated[Optional[str], typer.Option("--township", help="只看该乡镇 only this township (county ledgers)")]
GridOption = Annotated[Optional[str], typer.Option("--grid", help="只看该网格 only this grid (hub ledgers); lists its households")]
VillageOption = Annotated[Optional[str], typer.Option("--village", help="只看该自然村 only this 自然村; lists its households")]
ByOption = Annotated[Optional[str], typer.Option("--by", help="按地方汇总 summary by township | grid | village (hub ledgers)")]
ListOption = Annotated[bool, typer.Option("--list", help="完整名单 the full list as a plain table, even at a hub")]
LimitOption = Annotated[Optional[int], typer.Option("--limit", min=1, help="最多列出 N 户 list at most N households")]
JsonOption = Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output (streamed)")]


def risk_command(
    grade: GradeOption = None,
    rule: Annotated[Optional[str], typer.Option("--rule", help="只看该规则 only this rule (ids: grid rules show)")] = None,
    township: TownshipOption = None,
    grid: GridOption = None,
    village: VillageOption = None,
    by: ByOption = None,
    as_list: ListOption = False,
    limit: LimitOption = None,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """Flagged households with the reasons, worst first (a hub: a summary by place). Exit 1 when anything is flagged."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.findings import current
    from grid_cli.lists import any_flagged, flagged, flagged_json, summary

    grades = {"红": "red", "黄": "yellow", "绿": "green"}
    wanted = grades.get(grade, grade) if grade else None
    if wanted and wanted not in STYLE:
        raise typer.BadParameter("--grade red | yellow | green")
    if rule:
        from grid_cli.rules.registry import RULES  # every rule and pydantic: loaded only when a rule is named

        if rule not in RULES:
            raise typer.BadParameter(tr("没有规则 {r}；见 grid rules show", "no rule {r}; see `grid rules show`", r=rule))
    ledger = open_ledger()
    by = _by(ledger, by)
    area = _area(ledger, township, grid, village)
    with _progress() as progress:
        stored = current(ledger, progress=progress, required=False)  # a hub before the county's rules: the others
    if as_json:
        from grid_cli.commands.render import stream_json

        texts = flagged_json(ledger, area, grade=wanted, rule=rule)
        head = {"year": stored.year, "threshold": stored.threshold, "as_of": stored.on.isoformat()}
        found = write_json(lambda handle: stream_json(head, "households", islice(texts, limit) if limit else texts,
                                                      handle), out)
        warn_no_threshold(stored)
        if found:
            raise typer.Exit(1)
        return
    rows = flagged(ledger, area, grade=wanted, rule=rule)
    if limit:
        rows = islice(rows, limit)
    if _level(ledger) == "grid" and not as_list:
        listed = list(rows)
        common.console.print(risk_table(stored, listed))
        found = len(listed)
    elif as_list or grid or village or limit:
        found = _plain_risk(stored, rows, hub=_level(ledger) != "grid")
    else:
        report = summary(ledger, area, by, ledger.meta("township") or "", grade=wanted, rule=rule)
        _render_summary(stored, report)
        found = any_flagged(ledger, area, grade=wanted, rule=rule)
    warn_no_threshold(stored)
    if found:
        raise typer.Exit(1)


def _plain_risk(stored, rows: Iterable, hub: bool) -> int:
    from grid_cli.commands.render import PlainTable

    out = PlainTable(_list_columns((tr("等级", "Grade"), 4), hub), title=risk_title(stored))
    n = 0
    for r in rows:
        n += 1
        for i, f in enumerate(r.findings):
            head = [tr(*GRADE_LABEL[r.grade]), r.hh_no or "", r.head or "", r.village or ""] + ([r.grid or ""] if hub else [])
            out.line(head if i == 0 else [""] * len(head), f.message(lang()))
    out.end(tr("列出 {n} 户", "{n} households listed", n=n))
    return n


def _list_columns(first: tuple[str, int], hub: bool) -> list[tuple[str, int]]:
    """A list's columns: a mark, the household (its grid at a hub), and the reason taking the rest."""
    return [first, (tr("户编号", "No."), 20), (tr("户主", "Head"), 8), (tr("自然村", "Village"), 10)] + \
        ([(tr("网格", "Grid"), 10)] if hub else []) + [(tr("原因", "Why"), 0)]


def _render_summary(stored, report: dict) -> None:
    from grid_cli.commands.render import PlainTable
    from grid_cli.rules.registry import RULES

    place = PLACE_LABEL[report["by"]]
    table = PlainTable([(tr(*place), 14), (tr("户数", "Households"), 8), (tr("红", "Red"), 7), (tr("黄", "Yellow"), 7),
                        (tr("绿", "Green"), 7)], title=risk_title(stored), right=(1, 2, 3, 4))
    total = {"households": 0, "red": 0, "yellow": 0, "green": 0}
    for p in report["places"]:
        table.line([p["place"] or tr("未填", "not given"), *(f"{p[k]:,}" for k in total)])
        for k in total:
            total[k] += p[k]
    table.line([tr("合计", "Total"), *(f"{total[k]:,}" for k in total)])
    table.end()
    rules = PlainTable([(tr("规则", "Rule"), 28), (tr("户数", "Households"), 8), (tr("其中红", "Of them red"), 10)],
                       title=tr("各规则提示户数", "Households per rule"), right=(1, 2))
    for r in sorted(report["rules"], key=lambda r: list(RULES).index(r["rule"]) if r["rule"] in RULES else 99):
        title = RULES[r["rule"]].TITLE if r["rule"] in RULES else (r["rule"], r["rule"])
        rules.line([tr(*title), f"{r['households']:,}", f"{r['red']:,}"])
    rules.end(tr(*LIST_HINT))


def due_command(
    within: Annotated[int, typer.Option("--within", help="另列出 N 天内到期的 also those due in the next N days")] = 0,
    township: TownshipOption = None,
    grid: GridOption = None,
    village: VillageOption = None,
    by: ByOption = None,
    as_list: ListOption = False,
    limit: LimitOption = None,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """Who is due for a visit: 八必访 groups first, then the longest unvisited, then 回头看 (a hub: a summary by place)."""
    as_json = as_json or out is not None  # --out FILE implies --json
    import datetime as dt

    from grid_cli.clock import today
    from grid_cli.lists import due, due_households, due_summary

    ledger = open_ledger()
    by = _by(ledger, by)
    area = _area(ledger, township, grid, village)
    items = due(ledger, today() + dt.timedelta(days=within), area)
    shown = items[:limit] if limit else items
    households = due_households(items)
    if as_json:
        from grid_cli.commands.render import stream_json

        write_json(lambda handle: stream_json(None, None, (d.as_dict() for d in shown), handle), out)
        return
    hub = _level(ledger) != "grid"
    if not hub and not as_list:
        from rich.table import Table

        table = Table(title=tr("待走访 {n} 户", "{n} households due for a visit", n=households))
        table.add_column(tr("户编号", "No."), no_wrap=True)
        table.add_column(tr("户主", "Head"), no_wrap=True)
        table.add_column(tr("原因", "Why"), overflow="fold")
        for d in shown:
            table.add_row(("[bold red]! [/]" if d.finding.severity == "high" else "  ") + (d.finding.hh_no or ""), d.head or "",
                          d.finding.message(lang()))
        common.console.print(table)
    elif as_list or grid or village or limit:
        from grid_cli.commands.render import PlainTable

        out = PlainTable(_list_columns(("", 1), hub),
                         title=tr("待走访 {n} 户（! 为八必访）", "{n} households due for a visit (! must visit)", n=households))
        for d in shown:
            out.line(["!" if d.finding.severity == "high" else "", d.finding.hh_no or "", d.head or "", d.village or ""]
                     + ([d.grid or ""] if hub else []), d.finding.message(lang()))
        out.end(tr("另有 {n} 户", "{n} more", n=households - due_households(shown)) if len(shown) < len(items) else "")
    else:
        from grid_cli.commands.render import PlainTable

        parents = {r[0]: r[1] for r in ledger.conn.execute("SELECT code, parent FROM scope WHERE level = 'grid'")}
        place = PLACE_LABEL[by]
        table = PlainTable([(tr(*place), 14), (tr("待走访", "Due"), 8), (tr("其中八必访", "Must visit"), 10)],
                           title=tr("待走访 {n} 户", "{n} households due for a visit", n=households), right=(1, 2))
        for p in due_summary(items, parents, by, ledger.meta("township") or ""):
            table.line([p["place"] or tr("未填", "not given"), f"{p['due']:,}", f"{p['must_visit']:,}"])
        table.end(tr(*LIST_HINT))
