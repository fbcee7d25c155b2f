"""`grid rules show | set | check | explain`: the year's rule configuration."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from grid_cli.commands.common import YearOption, afterwards, console, open_ledger, print_json, say, year_or_current
from grid_cli.errors import UsageError
from grid_cli.i18n import lang, tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
SHOWN = 40  # characters of a value `rules show` prints


@app.command("show")
def show(
    year: YearOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False,
) -> None:
    """查看规则 — the year's threshold and every parameter.

    Each with where it came from: shipped default, set by the county (and when), a county rule file, or set
    locally."""
    from grid_cli.rules.config import rule_settings, sections, sources

    ledger = open_ledger()
    year = year_or_current(ledger, year)
    config = ledger.config(year)
    settings = rule_settings(config)
    origin = sources(ledger, year)
    if as_json:
        print_json({"year": year, "threshold": config.get("threshold"), "rules": settings,
                    "sources": {k: v.as_dict() for k, v in origin.items()}})
        return
    from rich.table import Table

    console.print(tr("{y}年监测标准：{t:,} 元/人/年 · {s}", "{y} monitoring threshold: {t:,} yuan/person/year · {s}",
                     y=year, t=config.get("threshold") or 0, s=origin["threshold"].label(lang())), markup=False)
    table = Table()
    for zh, en in (("规则", "Rule"), ("参数", "Parameter"), ("值", "Value"), ("来源", "Source")):
        table.add_column(tr(zh, en), overflow="fold")
    for section, module in sections().items():
        title = module.TITLE if hasattr(module, "TITLE") else module[1]
        for n, (param, value) in enumerate(settings[section].items()):
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            if len(text) > SHOWN:  # a long mapping: in full with --json or `grid rules explain`
                text = text[:SHOWN - 1] + "…"
            table.add_row(f"{section}\n{title[0 if lang() == 'zh' else 1]}" if not n else "", param, text,
                          origin[f"{section}.{param}"].label(lang()))
    console.print(table)


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@app.command("set")
def set_(
    key: Annotated[str, typer.Argument(help="threshold 监测标准, or RULE.PARAM 规则.参数 (e.g. income_fall.share, labour.skills)")],
    value: Annotated[str, typer.Argument(help="值 the value (JSON for lists and objects, e.g. '[\"C\",\"D\"]')")],
    year: YearOption = None,
) -> None:
    """修改规则 — the year's threshold or a parameter; re-evaluates.

    The year's rules are the county's: a lower level may set what the county has not set, or make a county
    value stricter where `local.stricter` allows it."""
    from grid_cli.commands.risk import reassess
    from grid_cli.parse import parse_money
    from grid_cli.rules.config import set_value

    ledger = open_ledger()
    year = year_or_current(ledger, year)
    if key == "threshold":
        parsed = parse_money(value, what=("监测标准", "threshold"))
        if parsed < 1000:
            raise UsageError(f"监测标准 {parsed} 太低，请核对", f"a threshold of {parsed} is implausibly low; please check")
    else:
        parsed = _value(value)
    done = set_value(ledger, key, parsed, year)
    if not done.changed:
        say("无变化", "No change")
        return
    name = tr("监测标准", "threshold") if key == "threshold" else key
    if done.stricter:
        say("{y}年 {k} = {v}（本地加严）", "{y}: {k} = {v} (stricter local check)", y=year, k=name, v=value)
    else:
        say("{y}年 {k} = {v}", "{y}: {k} = {v}", y=year, k=name, v=value)
    with afterwards():  # the setting is saved: a failure to re-evaluate is a warning, not an exit code
        grades = reassess(ledger)
        say("重新评估：红 {r} 户，黄 {y} 户，绿 {g} 户", "Re-evaluated: {r} red, {y} yellow, {g} green",
            r=grades["red"], y=grades["yellow"], g=grades["green"])


@app.command("check")
def check(as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False) -> None:
    """检查规则 — run every rule once; exit 1 if one is broken."""
    from grid_cli.findings import assess

    ledger = open_ledger()
    result = assess(ledger)
    broken = [f for f in result.findings if "error" in f.facts]
    summary = {"year": result.year, "threshold": result.threshold, "households": len(result.contexts),
               "findings": len(result.findings), "rule_errors": [f.as_dict() for f in broken]}
    if as_json:
        print_json(summary)
    else:
        say("{y}年配置有效：{h} 户，{n} 条提示，{e} 个规则错误", "{y} config valid: {h} households, {n} findings, {e} rule errors",
            y=result.year, h=len(result.contexts), n=len(result.findings), e=len(broken))
        for f in broken:
            console.print(f"  {f.hh_no}: {f.message(lang())}", markup=False)
    if broken:
        raise typer.Exit(1)


@app.command("explain")
def explain(rule: Annotated[str, typer.Argument(help="规则编号 a rule id (grid rules show lists them)")]) -> None:
    """规则说明 — what a rule checks, with examples and its parameters."""
    from grid_cli.rules.config import rule_settings, sections

    known = sections()
    if rule not in known:
        raise UsageError(f"没有规则 {rule}；见 grid rules show", f"no rule {rule}; see `grid rules show`")
    module = known[rule]
    ledger = open_ledger()
    settings = rule_settings(ledger.config(year_or_current(ledger, None)))[rule]
    title, doc = (module.TITLE, module.__doc__) if hasattr(module, "TITLE") else (module[1], module[0].__doc__)
    console.print(f"[bold]{rule}[/] — {title[0]} / {title[1]}")
    if lang() == "zh":
        doc = getattr(module, "EXPLAIN_ZH", None) or doc
    console.print((doc or "").strip(), markup=False)
    console.print(tr("当前参数：", "Current parameters: ") + json.dumps(settings, ensure_ascii=False), markup=False)
