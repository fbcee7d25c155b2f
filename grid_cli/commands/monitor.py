"""`grid monitor ...`: the lifecycle steps — include, helper, measure, end, eliminate, reinclude."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from grid_cli.commands.common import open_ledger, say

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

HH = Annotated[str, typer.Argument(help="户编号或记录编号 household number or record id")]


@app.command("include")
def include(
    household: HH,
    category: Annotated[str, typer.Option("--category", help="监测对象类别 category: 脱贫不稳定户 | 边缘易致贫户 | 突发严重困难户")],
    risk: Annotated[list[str], typer.Option("--risk", help="风险类型 risk type, up to 5 (repeatable), e.g. 因病")],
    identified: Annotated[str, typer.Option("--identified", help="识别监测时间 date identified")],
    village_review: Annotated[Optional[str], typer.Option("--village-review", help="村级民主评议日期 village review date")] = None,
    notice: Annotated[Optional[str], typer.Option("--notice", help="村级公示日期 village notice date")] = None,
    township_review: Annotated[Optional[str], typer.Option("--township-review", help="乡镇审核日期 township review date")] = None,
    county_approval: Annotated[Optional[str], typer.Option("--county-approval", help="县级审定日期 county approval date")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="发现方式 how found: 农户自主申报 | 干部走访排查 | 部门筛查预警")] = None,
    again: Annotated[bool, typer.Option("--again", help="重新纳入: re-include an eliminated household")] = False,
) -> None:
    """识别纳入 — include a household as monitored."""
    from grid_cli import lifecycle

    lifecycle.include(open_ledger(), household, category=category, risks=risk, identified=identified,
                      village_review=village_review, notice=notice, township_review=township_review,
                      county_approval=county_approval, source=source, reinclusion=again)
    say("已纳入监测：{h}", "Included as monitored: {h}", h=household)


@app.command("helper")
def helper(
    household: HH,
    name: Annotated[str, typer.Option("--name", help="帮扶责任人姓名 the helper's name")],
    unit: Annotated[str, typer.Option("--unit", help="单位 unit")] = "",
    phone: Annotated[Optional[str], typer.Option("--phone", help="电话 phone")] = None,
    start: Annotated[Optional[str], typer.Option("--start", help="开始日期 start date (default today)")] = None,
) -> None:
    """落实帮扶责任人 — assign a helper (帮扶责任人)."""
    from grid_cli import lifecycle

    step = lifecycle.assign_helper(open_ledger(), household, name=name, unit=unit, phone=phone, start=start)
    say("已落实帮扶责任人 {n}（编号 {i}）", "Helper {n} assigned (id {i})", n=name, i=step[-8:])


@app.command("measure")
def measure(
    household: HH,
    kind: Annotated[str, typer.Option("--kind", help="帮扶措施 measure, e.g. 产业帮扶 就业帮扶 金融帮扶 健康帮扶 综合保障")],
    detail: Annotated[str, typer.Option("--detail", help="说明 detail")] = "",
    start: Annotated[Optional[str], typer.Option("--start", help="开始日期 start date (default today)")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="金额 amount, yuan (小额信贷 ≤ 50,000)")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="到期日 due date (小额信贷 ≤ 3 years)")] = None,
) -> None:
    """添加帮扶措施 — add an assistance measure."""
    from grid_cli import lifecycle

    step = lifecycle.add_measure(open_ledger(), household, kind=kind, detail=detail, start=start, amount=amount, due=due)
    say("已添加帮扶措施（编号 {i}）", "Measure added (id {i})", i=step[-8:])


@app.command("end")
def end(
    household: HH,
    step: Annotated[str, typer.Argument(help="措施或帮扶责任人的编号 the measure's or helper's id (the 8 characters household show prints)")],
    helper_: Annotated[bool, typer.Option("--helper", help="结束帮扶责任人 end a helper's assignment instead of a measure")] = False,
    on: Annotated[Optional[str], typer.Option("--on", help="结束日期 end date (default today)")] = None,
) -> None:
    """结束措施 — end a measure (a loan repaid) or a helper's assignment."""
    from grid_cli import lifecycle

    lifecycle.end_step(open_ledger(), household, step, kind="helper" if helper_ else "measure", end=on)
    say("已结束", "Ended")


@app.command("eliminate")
def eliminate(
    household: HH,
    method: Annotated[str, typer.Option("--method", help="消除方式 method: 帮扶消除 | 自然消除")],
    month: Annotated[str, typer.Option("--month", help="消除监测时间 month, YYYY-MM")],
    village_review: Annotated[Optional[str], typer.Option("--village-review", help="村级民主评议日期 village review date")] = None,
    notice: Annotated[Optional[str], typer.Option("--notice", help="村级公示日期 village notice date")] = None,
    township_review: Annotated[Optional[str], typer.Option("--township-review", help="乡镇审核日期 township review date")] = None,
    county_approval: Annotated[Optional[str], typer.Option("--county-approval", help="县级审定日期 county approval date")] = None,
) -> None:
    """风险消除 — record that the household's risk was eliminated."""
    from grid_cli import lifecycle

    lifecycle.eliminate(open_ledger(), household, method=method, month=month, village_review=village_review,
                        notice=notice, township_review=township_review, county_approval=county_approval)
    say("已记录风险消除：{h}（{m}）", "Risk elimination recorded: {h} ({m})", h=household, m=month)
