"""`grid monitor ...`: the lifecycle steps — include, helper, measure, end, eliminate, reinclude."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from grid_cli.commands.common import open_ledger, say

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

HH = Annotated[str, typer.Argument(help="户编号 or record id")]


@app.command("include")
def include(
    household: HH,
    category: Annotated[str, typer.Option("--category", help="脱贫不稳定户 | 边缘易致贫户 | 突发严重困难户")],
    risk: Annotated[list[str], typer.Option("--risk", help="风险类型, up to 5 (repeatable), e.g. 因病")],
    identified: Annotated[str, typer.Option("--identified", help="识别监测时间")],
    village_review: Annotated[Optional[str], typer.Option("--village-review", help="村级民主评议日期")] = None,
    notice: Annotated[Optional[str], typer.Option("--notice", help="村级公示日期")] = None,
    township_review: Annotated[Optional[str], typer.Option("--township-review", help="乡镇审核日期")] = None,
    county_approval: Annotated[Optional[str], typer.Option("--county-approval", help="县级审定日期")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="发现方式: 农户自主申报 | 干部走访排查 | 部门筛查预警")] = None,
    again: Annotated[bool, typer.Option("--again", help="重新纳入: re-include an eliminated household")] = False,
) -> None:
    """识别纳入: include a household as monitored."""
    from grid_cli import lifecycle

    lifecycle.include(open_ledger(), household, category=category, risks=risk, identified=identified,
                      village_review=village_review, notice=notice, township_review=township_review,
                      county_approval=county_approval, source=source, reinclusion=again)
    say("已纳入监测：{h}", "Included as monitored: {h}", h=household)


@app.command("helper")
def helper(
    household: HH,
    name: Annotated[str, typer.Option("--name", help="帮扶责任人姓名")],
    unit: Annotated[str, typer.Option("--unit", help="单位")] = "",
    phone: Annotated[Optional[str], typer.Option("--phone", help="电话")] = None,
    start: Annotated[Optional[str], typer.Option("--start", help="开始日期 (default today)")] = None,
) -> None:
    """Assign a 帮扶责任人."""
    from grid_cli import lifecycle

    step = lifecycle.assign_helper(open_ledger(), household, name=name, unit=unit, phone=phone, start=start)
    say("已落实帮扶责任人 {n}（编号 {i}）", "Helper {n} assigned (id {i})", n=name, i=step[-8:])


@app.command("measure")
def measure(
    household: HH,
    kind: Annotated[str, typer.Option("--kind", help="帮扶措施, e.g. 产业帮扶 就业帮扶 金融帮扶 健康帮扶 综合保障")],
    detail: Annotated[str, typer.Option("--detail", help="说明")] = "",
    start: Annotated[Optional[str], typer.Option("--start", help="开始日期 (default today)")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="金额 yuan (小额信贷 ≤ 50,000)")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="到期日 (小额信贷 ≤ 3 years)")] = None,
) -> None:
    """Add an assistance measure."""
    from grid_cli import lifecycle

    step = lifecycle.add_measure(open_ledger(), household, kind=kind, detail=detail, start=start, amount=amount, due=due)
    say("已添加帮扶措施（编号 {i}）", "Measure added (id {i})", i=step[-8:])


@app.command("end")
def end(
    household: HH,
    step: Annotated[str, typer.Argument(help="the measure's or helper's id (the 8 characters `household show` prints)")],
    helper_: Annotated[bool, typer.Option("--helper", help="end a helper's assignment instead of a measure")] = False,
    on: Annotated[Optional[str], typer.Option("--on", help="结束日期 (default today)")] = None,
) -> None:
    """End a measure (e.g. a loan repaid) or a helper's assignment."""
    from grid_cli import lifecycle

    lifecycle.end_step(open_ledger(), household, step, kind="helper" if helper_ else "measure", end=on)
    say("已结束", "Ended")


@app.command("eliminate")
def eliminate(
    household: HH,
    method: Annotated[str, typer.Option("--method", help="帮扶消除 | 自然消除")],
    month: Annotated[str, typer.Option("--month", help="消除监测时间 YYYY-MM")],
    village_review: Annotated[Optional[str], typer.Option("--village-review")] = None,
    notice: Annotated[Optional[str], typer.Option("--notice")] = None,
    township_review: Annotated[Optional[str], typer.Option("--township-review")] = None,
    county_approval: Annotated[Optional[str], typer.Option("--county-approval")] = None,
) -> None:
    """风险消除: record that the household's risk was eliminated."""
    from grid_cli import lifecycle

    lifecycle.eliminate(open_ledger(), household, method=method, month=month, village_review=village_review,
                        notice=notice, township_review=township_review, county_approval=county_approval)
    say("已记录风险消除：{h}（{m}）", "Risk elimination recorded: {h} ({m})", h=household, m=month)
