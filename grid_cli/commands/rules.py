"""`grid rules show | set | check | explain`: the year's rule configuration."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from grid_cli.commands.common import YearOption, afterwards, console, open_ledger, print_json, say, year_or_current
from grid_cli.errors import DataError, UsageError
from grid_cli.i18n import lang, tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)


@app.command("show")
def show(
    year: YearOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False,
) -> None:
    """查看规则 — the year's threshold and every rule's parameters."""
    from grid_cli.rules.config import rule_settings
    from grid_cli.rules.registry import RULES

    ledger = open_ledger()
    year = year_or_current(ledger, year)
    config = ledger.config(year)
    settings = rule_settings(config)
    if as_json:
        print_json({"year": year, "threshold": config.get("threshold"), "rules": settings})
        return
    from rich.table import Table

    console.print(tr("{y}年监测标准：{t:,} 元/人/年", "{y} monitoring threshold: {t:,} yuan/person/year",
                     y=year, t=config.get("threshold") or 0))
    table = Table()
    for zh, en in (("规则", "Rule"), ("名称", "Name"), ("参数", "Parameters")):
        table.add_column(tr(zh, en), overflow="fold")
    for rule_id, module in RULES.items():
        params = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in settings[rule_id].items())
        table.add_row(rule_id, module.TITLE[0 if lang() == "zh" else 1], params)
    console.print(table)


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@app.command("set")
def set_(
    key: Annotated[str, typer.Argument(help="threshold 监测标准, or RULE.PARAM 规则.参数 (e.g. income_fall.share)")],
    value: Annotated[str, typer.Argument(help="值 the value (JSON for lists and objects, e.g. '[\"C\",\"D\"]')")],
    year: YearOption = None,
) -> None:
    """修改规则 — the year's threshold or a rule parameter; re-evaluates."""
    from grid_cli.commands.risk import reassess
    from grid_cli.parse import parse_money
    from grid_cli.rules.config import rule_configs
    from grid_cli.rules.registry import RULES

    ledger = open_ledger()
    year = year_or_current(ledger, year)
    if key == "threshold":
        amount = parse_money(value, what=("监测标准", "threshold"))
        if amount < 1000:
            raise UsageError(f"监测标准 {amount} 太低，请核对", f"a threshold of {amount} is implausibly low; please check")
        values = {"threshold": amount}
    else:
        rule_id, _, param = key.partition(".")
        if rule_id not in RULES or not param:
            raise UsageError(f"没有设置项“{key}”；见 grid rules show", f"no setting '{key}'; see `grid rules show`")
        if param not in RULES[rule_id].Config.model_fields:
            known = ", ".join(RULES[rule_id].Config.model_fields)
            raise UsageError(f"规则 {rule_id} 没有参数 {param}（可用：{known}）", f"rule {rule_id} has no parameter {param} ({known})")
        values = {f"rules.{rule_id}.{param}": _value(value)}
        try:  # refuse a bad value before writing it
            rule_configs({**ledger.config(year), **values})
        except DataError as error:
            raise UsageError(error.zh, error.en) from None
    with ledger.write() as w:
        changed = w.set_config(year, values)
    if not changed:
        say("无变化", "No change")
        return
    say("{y}年 {k} = {v}", "{y}: {k} = {v}", y=year, k=tr("监测标准", "threshold") if key == "threshold" else key, v=value)
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
    from grid_cli.rules.config import rule_settings
    from grid_cli.rules.registry import RULES

    if rule not in RULES:
        raise UsageError(f"没有规则 {rule}；见 grid rules show", f"no rule {rule}; see `grid rules show`")
    module = RULES[rule]
    ledger = open_ledger()
    settings = rule_settings(ledger.config(year_or_current(ledger, None)))[rule]
    console.print(f"[bold]{rule}[/] — {module.TITLE[0]} / {module.TITLE[1]}")
    console.print((module.EXPLAIN_ZH if lang() == "zh" else module.__doc__ or "").strip(), markup=False)
    console.print(tr("当前参数：", "Current parameters: ") + json.dumps(settings, ensure_ascii=False), markup=False)
