"""`grid report quarter | set | show`: the quarterly analysis 季分析 and its two local settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from grid_cli.commands.common import JsonOutOption, YearOption, console, open_ledger, print_json, say, year_or_current
from grid_cli.i18n import pct, tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

BAR = 12  # widest bar, in characters


def _bar(value: int | float, top: int | float, style: str) -> str:
    width = 0 if not top else round(BAR * value / top)
    return f"[{style}]{'█' * width}[/]" + (" " if width else "")


def _render(report: dict[str, Any]) -> None:
    from rich.table import Table

    t, p = report["totals"], report["place"]
    hub = p["level"] != "grid"
    where = " ".join(x for x in (p["county"], p["township"], "" if hub else p["village"],
                                 "" if hub else (p["grid"] and f"网格 {p['grid']}")) if x)
    console.print(f"[bold]{where} · {report['quarter']}[/] " + tr(
        "（{a} 至 {b}，截至 {d}；{y}年监测标准 {th:,} 元）", "({a} to {b}, as of {d}; {y} threshold {th:,} yuan)",
        a=report["from"], b=report["to"], d=report["as_of"], y=report["year"], th=report["threshold"]))
    say("在册 {h} 户 {p} 人；监测对象 {m} 户；本季纳入 {i} 户、消除 {e} 户；风险户 {f} 户（红 {r}）；走访逾期 {o} 户",
        "{h} households, {p} people; {m} monitored; this quarter {i} included, {e} eliminated; {f} flagged ({r} red); {o} overdue",
        h=t["households"], p=t["people"], m=t["monitored"], i=t["included"], e=t["eliminated"], f=t["flagged"],
        r=t["red"], o=t["overdue"])
    say("待审核 {a} 户、待审定 {b} 户（未计入监测对象）；拟消除 {c} 户；本季退回 {d} 件；回头看 应 {fd} 户、已 {fo} 户；建议重新纳入 {ri} 户",
        "{a} pending township review, {b} pending county approval (not counted as monitored); {c} elimination proposed; "
        "{d} returned this quarter; follow-ups {fo} of {fd} done; re-inclusion suggested {ri}",
        a=t["pending_review"], b=t["pending_approval"], c=t["proposed_elimination"], d=t["returned"],
        fd=report["followup"]["due"], fo=report["followup"]["done"], ri=t["reinclusion_suggested"])

    trend = Table(title=tr("月度趋势", "Monthly trend"))
    for zh, en in (("月份", "Month"), ("监测对象", "Monitored"), ("纳入", "In"), ("消除", "Out"), ("走访户", "Visited"),
                   ("风险户", "Flagged"), ("逾期", "Overdue")):
        trend.add_column(tr(zh, en), justify="right" if zh != "月份" else "left", no_wrap=zh == "月份")
    trend.add_column(tr("风险户", "Flagged"), no_wrap=True)
    top = max([m["flagged"] for m in report["trend"]] or [0])
    for m in report["trend"]:
        trend.add_row(m["month"], str(m["monitored"]), f"[blue]{m['included']}[/]", f"[green]{m['eliminated']}[/]",
                      str(m["visited"]), str(m["flagged"]), str(m["overdue"]), _bar(m["flagged"], top, "yellow"))
    console.print(trend)

    def places(key: str, label: tuple[str, str]) -> None:
        rows = report.get(key)
        if not rows:
            return
        table = Table(title=tr(*label))
        table.add_column(tr(*label), no_wrap=True)
        for zh, en in (("户数", "Households"), ("监测", "Monitored"), ("风险户", "Flagged"), ("占比", "Share"),
                       ("纳入", "In"), ("消除", "Out"), ("逾期", "Overdue")):
            table.add_column(tr(zh, en), justify="right")
        table.add_column("", no_wrap=True)
        for r in rows:
            mark = "  [bold red]挂牌预警[/]" if r["warning"] else ""
            table.add_row(r["name"] or "—", str(r["households"]), str(r["monitored"]), str(r["flagged"]),
                          pct(r["flagged_share"], "—"), str(r["included"]), str(r["eliminated"]), str(r["overdue"]),
                          _bar(r["flagged_share"], 1, "red" if r["warning"] else "yellow") + mark)
        console.print(table)

    places("by_village", ("自然村", "Village"))
    places("by_grid", ("网格", "Grid"))
    places("by_township", ("乡镇", "Township"))
    flags = report["flags"]
    if flags["applies"]:
        say("挂牌预警线：风险户占比超过 {l}；达线：{v}", "挂牌预警 line: flagged share above {l}; marked: {v}",
            l=pct(flags["line"], "—"), v="、".join(flags["villages"] + flags["grids"]) or tr("无", "none"))

    if report["risk_types"]:
        risks = Table(title=tr("风险类型（监测中）", "Risk types (monitored)"))
        risks.add_column(tr("风险类型", "Risk type"))
        risks.add_column(tr("户数", "Households"), justify="right")
        risks.add_column("")
        top = max(r["households"] for r in report["risk_types"])
        for r in report["risk_types"]:
            risks.add_row(r["risk"], str(r["households"]), _bar(r["households"], top, "magenta"))
        console.print(risks)

    o = report["overdue"]
    if o["list"]:
        overdue = Table(title=tr("走访逾期 {n} 户（八必访 {m} 户）", "Visits overdue: {n} households ({m} must-visit)",
                                 n=o["households"], m=o["must_visit"]))
        for zh, en in (("户编号", "No."), ("自然村", "Village"), ("天数", "Days"), ("上次走访", "Last visit")):
            overdue.add_column(tr(zh, en), no_wrap=True)
        for r in o["list"][:15]:
            overdue.add_row(("[bold red]! [/]" if r["must_visit"] else "  ") + (r["hh_no"] or ""), r["village"] or "",
                            "" if r["days"] is None else str(r["days"]), r["last_visit"] or tr("从未走访", "never"))
        console.print(overdue)
        if len(o["list"]) > 15:
            say("……另有 {n} 户，见 --json 或 --out", "... {n} more; see --json or --out", n=len(o["list"]) - 15)

    inc, s = report["income"], report["settings"]["rural_growth"]
    source = tr("默认值", "default") if s["source"] == "default" else s["source"]
    if inc["growth"] is None:
        say("脱贫户人均纯收入增幅：无可比的上年走访（需上年同期前后有走访记录）；全体农村居民增幅 {r}（{s}）",
            "Per-capita income growth of 脱贫户: no visits a year earlier to compare; all rural households {r} ({s})",
            r=pct(inc["rural_growth"], "—"), s=source)
    else:
        verdict = tr("高于", "above") if inc["outgrew"] else tr("未高于", "not above")
        style = "green" if inc["outgrew"] else "bold red"
        console.print(tr("脱贫户人均纯收入 {a:,} 元，上年同期 {b:,} 元，增幅 {g}（{n} 户），",
                         "Per-capita income of 脱贫户 {a:,} yuan, a year earlier {b:,}, growth {g} ({n} households), ",
                         a=inc["per_capita_now"], b=inc["per_capita_last_year"], g=pct(inc["growth"], "—"),
                         n=inc["households_compared"]) + f"[{style}]{verdict}[/]" +
                      tr("全体农村居民增幅 {r}（{s}）", " all rural households' {r} ({s})", r=pct(inc["rural_growth"], "—"), s=source),
                      markup=True)
    q = report["data_quality"]  # the data-quality section (grid check)
    say("数据质量：{n} 项检查，问题 {p} 项（{c} 个检查项），豁免 {e} 项；明细见 grid check",
        "Data quality: {n} checks, {p} problems ({c} checks found some), {e} exempted; details with `grid check`",
        n=q["checks_run"], p=q["problems"], c=sum(1 for x in q["checks"] if x["problems"]), e=q["exempted"])
    if s["source"] == "default":
        say("全体农村居民增幅为默认值，请用 grid report set rural_growth <增幅> 设为本县数据",
            "The rural growth figure is the default; set your county's with `grid report set rural_growth <growth>`")


@app.command("quarter")
def quarter(
    period: Annotated[Optional[str], typer.Argument(metavar="YYYYQn", help="季度 quarter, e.g. 2026Q4 (default: this quarter)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output (the whole report)")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="另写出报表 also write the report: .xlsx (with charts), .csv or .json")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="格式 format: xlsx | csv | json (default: from --out)")] = None,
    rural_growth: Annotated[Optional[str], typer.Option("--rural-growth", help="全体农村居民增幅 growth of all rural households for this run, e.g. 6.6% (else report.rural_growth)")] = None,
    warning_share: Annotated[Optional[str], typer.Option("--warning-share", help="挂牌预警线 the 挂牌预警 line for this run, e.g. 30% (else report.warning_share)")] = None,
) -> None:
    """季度分析 — trend, inclusions, places, risks, overdue visits, growth."""
    from grid_cli.exports.quarter import build_quarter, parse_share, quarter_book, today_quarter

    growth = parse_share(rural_growth, "--rural-growth") if rural_growth is not None else None
    line = parse_share(warning_share, "--warning-share") if warning_share is not None else None
    written = []
    if out is not None or fmt is not None:
        from grid_cli.exports.files import check_target, format_for

        fmt = format_for(out, fmt)
        if out is not None:
            check_target(out)
    report = build_quarter(open_ledger(), period or today_quarter(), rural_growth=growth, warning_share=line)
    if out is not None or fmt is not None:
        from grid_cli.exports import write_book
        from grid_cli.exports.textout import write_json

        path = out or Path(f"report-{report['quarter']}.{fmt}")
        written = write_json(report, path) if fmt == "json" else write_book(quarter_book(report), path, fmt)
    if as_json:
        print_json(report)
        return
    _render(report)
    for path in written:
        say("已写出季度分析 → {f}", "Wrote the quarterly analysis -> {f}", f=path)


@app.command("set")
def set_(
    key: Annotated[str, typer.Argument(help="设置项 setting: rural_growth | warning_share")],
    value: Annotated[str, typer.Argument(help="值 value, e.g. 6.6% or 0.066")],
    year: YearOption = None,
) -> None:
    """设置报表数值 — the year's rural_growth or warning_share.

    rural_growth 全体农村居民人均收入增幅 all rural households' income growth; warning_share 挂牌预警线
    the share of flagged households that marks a village."""
    from grid_cli.exports.quarter import set_setting

    ledger = open_ledger()
    year = year_or_current(ledger, year)
    changed = set_setting(ledger, key, value, year)
    if not changed:
        say("无变化", "No change")
        return
    for k, v in changed.items():
        say("{y}年 {k} = {v}", "{y}: {k} = {v}", y=year, k=k, v=pct(v, "—"))


@app.command("show")
def show(
    year: YearOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False,
    out: JsonOutOption = None,
) -> None:
    """报表数值 — the year's figures and where each comes from."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.exports.quarter import SETTINGS, settings

    ledger = open_ledger()
    year = year_or_current(ledger, year)
    found = settings(ledger, year)
    if as_json:
        print_json({"year": year, **found}, out)
        return
    for key, item in found.items():
        zh, en = SETTINGS[key][1:]
        source = tr("默认值", "default") if item["source"] == "default" else item["source"]
        say("{k}（{l}）= {v}  [{s}]", "{k} ({l}) = {v}  [{s}]", k=key, l=tr(zh, en), v=pct(item["value"], "—"), s=source)
