"""`grid monitor ...`: the monitoring procedure. A grid proposes (include, eliminate), records the village
review and the notice; a township reviews; the county approves or returns; helpers, measures and loan
extensions at any level. `pending` is each level's review list; `list` shows where every case stands."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from grid_cli.commands.common import JsonOutOption, console, level_name, open_ledger, print_json, say
from grid_cli.i18n import lang, tr

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)

HH = Annotated[str, typer.Argument(help="户编号或记录编号 household number or record id")]
DateOption = Annotated[Optional[str], typer.Option("--date", help="日期 the step's date (default today)")]
VillageReview = Annotated[Optional[str], typer.Option("--village-review", help="村级民主评议日期 village review date (a grid step)")]
Notice = Annotated[Optional[str], typer.Option("--notice", help="村级公示开始日期 village notice start (a grid step)")]
TownshipReview = Annotated[Optional[str], typer.Option("--township-review", hidden=True, help="乡镇审核日期 township review date: the township's step, refused here")]  # refused: the township's
CountyApproval = Annotated[Optional[str], typer.Option("--county-approval", hidden=True, help="县级审定日期 county approval date: the county's step, refused here")]  # refused: the county's


def _state(state: str) -> str:
    from grid_cli.model import STATE_EN

    return state if lang() == "zh" else STATE_EN.get(state, state)


@app.command("include")
def include(
    household: HH,
    category: Annotated[str, typer.Option("--category", help="监测对象类别 category: 脱贫不稳定户 | 边缘易致贫户 | 突发严重困难户")],
    risk: Annotated[list[str], typer.Option("--risk", help="风险类型 risk type, up to 5 (repeatable), e.g. 因病")],
    identified: Annotated[str, typer.Option("--identified", help="识别监测时间 date identified")],
    village_review: VillageReview = None,
    notice: Notice = None,
    township_review: TownshipReview = None,
    county_approval: CountyApproval = None,
    source: Annotated[Optional[str], typer.Option("--source", help="发现方式 how found: 农户自主申报 | 干部走访排查 | 部门筛查预警")] = None,
    again: Annotated[bool, typer.Option("--again", help="重新纳入: re-include an eliminated household")] = False,
) -> None:
    """识别纳入申请 — propose a household for monitoring (grid).

    待审核 until the township reviews and the county approves."""
    from grid_cli import lifecycle

    lifecycle.include(open_ledger(), household, category=category, risks=risk, identified=identified,
                      village_review=village_review, notice=notice, township_review=township_review,
                      county_approval=county_approval, source=source, reinclusion=again)
    say("已提出纳入申请：{h}（待审核）", "Proposed for monitoring: {h} (pending township review)", h=household)


@app.command("village-review")
def village_review_(household: HH, date: DateOption = None) -> None:
    """村级民主评议 — the village's democratic review (grid).

    Recorded for the household's open case."""
    from grid_cli import lifecycle

    lifecycle.record_village_review(open_ledger(), household, on=date)
    say("已记录村级民主评议：{h}", "Village review recorded: {h}", h=household)


@app.command("notice")
def notice(
    households: Annotated[list[str], typer.Argument(help="户编号 household numbers (one or more)")],
    start: Annotated[Optional[str], typer.Option("--start", help="公示开始日期 first day of the notice (default today)")] = None,
    days: Annotated[Optional[int], typer.Option("--days", help="公示天数 days of the notice (default: the year's notice.days, at least that)")] = None,
) -> None:
    """村级公示 — the village notice was posted (grid).

    Recorded for these households' open cases."""
    from grid_cli import lifecycle

    ledger = open_ledger()
    for household in households:
        _step, first, length = lifecycle.record_notice(ledger, household, start=start, days=days)
        say("已记录公示：{h}，{a} 起 {n} 天", "Notice recorded: {h}, {n} days from {a}", h=household, a=first, n=length)


@app.command("check")
def check(household: HH, as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False, out: JsonOutOption = None) -> None:
    """风险消除条件 — the elimination criteria, with numbers.

    Each criterion for the household now; nothing is recorded."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli import lifecycle

    found, state, criteria = lifecycle.elimination_gate(open_ledger(), household)
    if as_json:
        print_json({"hh_no": found["hh_no"], "state": state.state, "criteria": [c.as_dict() for c in criteria]}, out)
    else:
        say("{h}（{s}）风险消除条件：", "{h} ({s}) elimination criteria:", h=found["hh_no"], s=_state(state.state) or "—")
        for c in criteria:
            console.print(("  [green]✓[/] " if c.met else "  [red]✗[/] "), end="")
            console.print(c.zh if lang() == "zh" else c.en, markup=False)
    if not all(c.met for c in criteria):
        raise typer.Exit(1)


@app.command("eliminate")
def eliminate(
    household: HH,
    method: Annotated[str, typer.Option("--method", help="消除方式 method: 帮扶消除 | 自然消除")],
    month: Annotated[str, typer.Option("--month", help="消除监测时间 month, YYYY-MM")],
    override: Annotated[Optional[str], typer.Option("--override", help="仍然提出的理由 propose it although criteria are unmet: the reason (shown to the approvers, audited)")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="申请日期 the proposal's date (default today)")] = None,
    village_review: VillageReview = None,
    notice: Notice = None,
    township_review: TownshipReview = None,
    county_approval: CountyApproval = None,
) -> None:
    """风险消除申请 — propose an elimination (grid).

    Through the elimination gate; 拟消除 until the county approves."""
    from grid_cli import lifecycle

    _case, unmet = lifecycle.eliminate(open_ledger(), household, method=method, month=month, override=override,
                                       village_review=village_review, notice=notice,
                                       township_review=township_review, county_approval=county_approval, on=date)
    say("已提出风险消除申请：{h}（{m}，拟消除）", "Elimination proposed: {h} ({m}, pending approval)", h=household, m=month)
    if unmet:
        say("未满足的条件 {n} 项，已按 --override 提出并记录原因：", "{n} criteria unmet, proposed with --override; the reason is recorded:",
            n=len(unmet))
        for c in unmet:
            console.print("  ✗ " + (c.zh if lang() == "zh" else c.en), markup=False)


@app.command("review")
def review(household: HH, date: DateOption = None) -> None:
    """乡镇审核 — pass the case on to the county (township).

    After the notice period."""
    from grid_cli import lifecycle

    _step, case = lifecycle.review(open_ledger(), household, on=date)
    say("乡镇审核通过：{h}（待县级审定）", "Township review passed: {h} (pending county approval)", h=household)


@app.command("approve")
def approve(household: HH, date: DateOption = None) -> None:
    """县级审定 — approve the open case (county).

    An inclusion becomes 监测中, an elimination 风险已消除."""
    from grid_cli import lifecycle

    _step, case = lifecycle.approve(open_ledger(), household, on=date)
    if case.stage == "include":
        say("县级审定：{h} 纳入监测（监测中）", "County approval: {h} is monitored", h=household)
    else:
        say("县级审定：{h} 风险已消除", "County approval: {h} risk eliminated", h=household)


@app.command("return")
def return_(
    household: HH,
    reason: Annotated[str, typer.Option("--reason", help="退回原因 the reason (required)")],
    date: DateOption = None,
) -> None:
    """退回 — send the case back, with the reason (township, county).

    The grid sees the reason when the bundle comes back."""
    from grid_cli import lifecycle

    _step, case = lifecycle.return_case(open_ledger(), household, reason=reason, on=date)
    say("已退回：{h}（{r}）", "Returned: {h} ({r})", h=household, r=reason)


def _case_table(rows: list[dict], title: str):
    from rich.table import Table

    from grid_cli.lifecycle import STEP

    table = Table(title=title, show_lines=True)
    for zh, en in (("户编号", "No."), ("户主", "Head"), ("网格", "Grid"), ("状态", "State"), ("进度", "Steps"),
                   ("待办", "Next")):
        table.add_column(tr(zh, en), overflow="fold", no_wrap=en == "No.")
    for r in rows:
        steps = []
        if r.get("stage"):
            zh_stage = "纳入" if r["stage"] == "include" else f"消除 {r.get('month') or ''}".strip()
            steps.append(tr(zh_stage, r["stage"] + (f" {r['month']}" if r.get("month") else "")) +
                         (tr("（导入）", " (imported)") if r.get("imported") else ""))
            if r.get("village_review"):
                steps.append(tr("评议 ", "review ") + r["village_review"])
            if r.get("notice"):
                steps.append(tr("公示 ", "notice ") + f"{r['notice']}—{r['notice_end']}")
            if r.get("township"):
                steps.append(tr("乡镇审核 ", "township ") + str(r["township"].get("date")))
            if r.get("override"):
                steps.append(tr("强行提出：", "override: ") + r["override"])
            for text in (r.get("unmet") if lang() == "zh" else r.get("unmet_en")) or []:
                steps.append("✗ " + text)
        elif r.get("returned"):
            ret = r["returned"]
            steps.append(tr("退回（{l} {d}）：{r}", "returned ({l} {d}): {r}", l=level_name(ret.get("level")),
                            d=ret.get("date"), r=ret.get("reason")))
        nxt = STEP[r["next"]][0 if lang() == "zh" else 1] if r.get("next") else ""
        table.add_row(r["hh_no"] or "", r["head"], r["grid"] or "", _state(r["state"]), "\n".join(steps), nxt)
    return table


@app.command("pending")
def pending(as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False, out: JsonOutOption = None) -> None:
    """待办 — the review list of open cases.

    Open cases (and imported eliminations the county has not confirmed), with each
    step recorded, what is next and who records it, and any unmet criterion given with --override."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli import lifecycle
    from grid_cli.place import level_of

    ledger = open_ledger()
    rows = lifecycle.cases(ledger, open_only=True)
    mine = level_of(ledger)
    if as_json:
        print_json([{k: v for k, v in r.items() if k != "household_id"} | {"mine": r.get("next_by") == mine} for r in rows], out)
        return
    ready = sum(r.get("next_by") == mine for r in rows)
    console.print(_case_table(rows, tr("待办 {n} 件（本级可办 {m} 件）", "{n} open cases ({m} for this ledger)", n=len(rows), m=ready)))


@app.command("list")
def list_(
    state: Annotated[Optional[str], typer.Option("--state", help="状态 state: 待审核 | 待审定 | 监测中 | 拟消除 | 风险已消除")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False,
    out: JsonOutOption = None,
) -> None:
    """监测户状态 — where each monitored household's case stands."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli import lifecycle
    from grid_cli.errors import UsageError
    from grid_cli.model import STATE_EN

    names = {v: k for k, v in STATE_EN.items() if k} | {k: k for k in STATE_EN if k}
    if state is not None and state not in names:
        raise UsageError(f"状态应为 {' | '.join(k for k in STATE_EN if k)}", f"--state is one of {' | '.join(k for k in STATE_EN if k)}")
    rows = [r for r in lifecycle.cases(open_ledger()) if state is None or r["state"] == names[state]]
    if as_json:
        print_json([{k: v for k, v in r.items() if k != "household_id"} for r in rows], out)
        return
    console.print(_case_table(rows, tr("共 {n} 户", "{n} households", n=len(rows))))


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
    amount: Annotated[Optional[str], typer.Option("--amount", help="金额 amount, yuan (小额信贷: at most small_loan_due.max_amount)")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="到期日 due date (小额信贷: within small_loan_due.max_years)")] = None,
) -> None:
    """添加帮扶措施 — add an assistance measure."""
    from grid_cli import lifecycle

    step = lifecycle.add_measure(open_ledger(), household, kind=kind, detail=detail, start=start, amount=amount, due=due)
    say("已添加帮扶措施（编号 {i}）", "Measure added (id {i})", i=step[-8:])


@app.command("extend")
def extend(
    household: HH,
    step: Annotated[str, typer.Argument(help="贷款措施编号 the loan's measure id (the 8 characters `household show` prints)")],
    due: Annotated[str, typer.Option("--due", help="新的到期日 the new due date")],
    kind: Annotated[str, typer.Option("--kind", help="续贷 renewal | 展期 extension")],
    date: DateOption = None,
) -> None:
    """续贷或展期 — renew or extend a small loan.

    A later due date, within the policy (seed 000)."""
    from grid_cli import lifecycle

    lifecycle.extend_loan(open_ledger(), household, step, due=due, kind=kind, on=date)
    say("已记录{k}：到期日 {d}", "Recorded {k}: due {d}", k=kind, d=due)


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
