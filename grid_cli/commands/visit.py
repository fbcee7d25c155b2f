"""`grid visit HOUSEHOLD`: the guided home-visit entry, or the same visit given by options/--from-file.

Guided mode asks one thing at a time, offers the previous visit's answers as defaults (a routine
visit is mostly Enter), re-asks after a bad answer, and saves nothing until the monitor confirms. Every
answer is kept at once as the household's draft (in the ledger), so Ctrl-C, Ctrl-D or a closed terminal
loses nothing: `grid visit HH --resume` carries on where it stopped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from grid_cli.commands.common import afterwards, ask, console, open_ledger, say, warn
from grid_cli.errors import UsageError
from grid_cli.fastjson import document
from grid_cli.i18n import tr

# Ctrl-C: as a shell reports a process ended by SIGINT (128 + 2); 2 means a usage error (README, exit codes).
INTERRUPTED = 130


def _money(zh: str, en: str) -> Callable[[str], int]:
    from grid_cli.parse import parse_money

    return lambda text: parse_money(text, what=(zh, en))


def _answered(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A first visit's income: Enter is not an answer (a silent 0 would grade the household red)."""
    def check(text: str) -> Any:
        if not text:
            raise UsageError("首次走访须填写收入，没有就填 0", "a first visit needs its income: type 0 where there is none")
        return parse(text)
    return check


def _count(field: str) -> Callable[[str], int]:
    from grid_cli.visits import parse_count

    return lambda text: parse_count(field, text)


def _bool(text: str) -> bool:
    from grid_cli.parse import parse_bool

    return parse_bool(text)


def _yn(value: Any) -> str | None:
    return None if value is None else ("是" if value else "否")


class Answers:
    """The answers of one guided visit: each question asked once, and all the answers so far kept as the
    household's draft after every answer. A resumed visit shows the draft's answers and asks the rest."""

    def __init__(self, ledger, household_id: str, draft: dict[str, Any] | None = None):
        self.ledger, self.household_id = ledger, household_id
        self.values: dict[str, Any] = dict(draft or {})

    def ask(self, key: str, question: str, parse: Callable[[str], Any], *, default: str | None = None,
            required: bool = True, show: Callable[[Any], str] = str) -> Any:
        from grid_cli.visits import save_draft

        if key in self.values:
            value = self.values[key]
            console.print(f"{question}: {'' if value is None else show(value)}", markup=False)
            return value
        value = ask(question, parse, default=default, required=required)
        self.values[key] = value
        save_draft(self.ledger, self.household_id, self.values)
        return value


def guided(answers: Answers, ledger, household: dict, members: list[dict], prev: dict | None) -> dict:
    """Ask for a whole visit (typer.Abort if the input ends or Ctrl-C is pressed before it is complete)."""
    from grid_cli import catalog
    from grid_cli.clock import today
    from grid_cli.parse import parse_date
    from grid_cli.model import per_capita
    from grid_cli.visits import EVENT_TYPES, default_residents, event_names, event_type, house_grade

    first = prev is None
    prev = prev or {}
    raw: dict[str, Any] = {}
    console.print(tr("[bold]走访 {n}[/]（直接回车采用方括号中的上次记录）", "[bold]Visit {n}[/] (Enter keeps the value in brackets)",
                     n=household["hh_no"]))
    raw["date"] = answers.ask("date", tr("走访日期", "Visit date"), lambda t: parse_date(t).isoformat(),
                              default=today().isoformat())
    raw["visitor"] = answers.ask("visitor", tr("走访人", "Visitor"), str,
                                 default=prev.get("visitor") or ledger.meta("monitor_name") or "")
    raw["channel"] = answers.ask("channel", tr("走访方式（入户/电话）", "Channel (入户 home / 电话 phone)"),
                                 lambda t: catalog.normalize("visit_channel", t), default=prev.get("channel") or "入户")
    for i, m in enumerate(members, start=1):
        console.print(f"  {i}. {m['name']}（{m.get('relation') or ''}）", markup=False)
    usual = set(default_residents(members, prev))
    before = [str(i) for i, m in enumerate(members, 1) if m["id"] in usual]
    names = {m["id"]: m["name"] for m in members}

    def pick(text: str) -> list[str]:
        chosen = []
        for part in text.replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if not part.isdigit() or not 1 <= int(part) <= len(members):
                raise UsageError(f"请填 1 到 {len(members)} 的编号，用逗号隔开", f"give numbers 1-{len(members)}, comma-separated")
            chosen.append(members[int(part) - 1]["id"])
        return chosen

    residents = answers.ask("residents", tr("常住成员编号", "Resident members (numbers)"), pick,
                            default=",".join(before), show=lambda ids: "、".join(names.get(i, i) for i in ids))
    # a draft's residents, less anyone who has left since it was written
    raw["residents"] = [i for i in residents if i in names] or [m["id"] for m in members]
    income = prev.get("income") or {}
    raw["income"] = {}
    for key, zh, en, name in (("wages", "工资性收入（元/年）", "Wages (yuan/year)", ("工资性收入", "wages")),
                              ("business", "生产经营性收入（元/年）", "Farm/business income (yuan/year)",
                               ("生产经营性收入", "farm/business income")),
                              ("property", "财产性收入（元/年）", "Property income (yuan/year)", ("财产性收入", "property income")),
                              ("transfer", "转移性收入（元/年，含低保金、养老金）", "Transfers (yuan/year, allowances, pensions)",
                               ("转移性收入", "transfers")),
                              ("production_costs", "生产经营性支出（元/年）", "Production costs (yuan/year)",
                               ("生产经营性支出", "production costs"))):
        if first:  # nothing to fall back on: every figure is typed, 0 included
            raw["income"][key] = answers.ask(f"income.{key}", tr(zh, en), _answered(_money(*name)), default="")
        else:
            raw["income"][key] = answers.ask(f"income.{key}", tr(zh, en), _money(*name), default=str(income.get(key, 0)))
    net = sum(v for k, v in raw["income"].items() if k != "production_costs") - raw["income"]["production_costs"]
    console.print(tr("  → 人均纯收入 {pc:,} 元", "  → per-capita net income {pc:,} yuan",
                     pc=per_capita(net, len(raw["residents"]))))
    spending = prev.get("spending") or {}
    raw["spending"] = {
        "medical": answers.ask("spending.medical", tr("合规自付医疗支出（元/年）", "Eligible out-of-pocket medical spending (yuan/year)"),
                               _money("合规自付医疗支出", "medical spending"), default=str(spending.get("medical", 0))),
        "other_rigid": answers.ask("spending.other_rigid", tr("其他刚性支出（元/年）", "Other rigid spending (yuan/year)"),
                                   _money("其他刚性支出", "other rigid spending"), default=str(spending.get("other_rigid", 0))),
    }
    raw["members"] = {}
    from grid_cli.parse import stored_date as _date
    from grid_cli.model import Member as RuleMember

    on = today()
    for m in members:
        update: dict[str, Any] = {}
        key = f"member.{m['id']}"
        age = RuleMember(m["id"], m["name"], None, _date(m.get("birth_date"))).age(on)
        if age is not None and 6 <= age <= 15:
            update["school_status"] = answers.ask(
                f"{key}.school_status", tr("{n}（{a}岁）在校生状况", "{n} (aged {a}) schooling", n=m["name"], a=age),
                lambda t: catalog.normalize("school_status", t), default=m.get("school_status") or "小学")
            if update["school_status"] == "失学辍学":
                update["dropout_reason"] = answers.ask(
                    f"{key}.dropout_reason", tr("  失学辍学原因", "  reason for dropping out"),
                    lambda t: catalog.normalize("dropout_reason", t), default=m.get("dropout_reason") or None)
        update["medical_insurance"] = answers.ask(
            f"{key}.medical_insurance", tr("{n} 参加基本医疗保险？（是/否）", "{n} has basic medical insurance? (yes/no)",
                                           n=m["name"]),
            _bool, default=_yn(m.get("medical_insurance")) or "是", show=_yn)
        raw["members"][m["id"]] = update
    raw["house_grade"] = answers.ask("house_grade", tr("住房安全等级（A/B/C/D）", "House safety grade (A/B/C/D)"),
                                     house_grade, default=prev.get("house_grade") or "A")
    water = prev.get("water") or {}
    raw["water"] = {
        "litres_per_person_day": answers.ask("water.litres_per_person_day",
                                             tr("每人每天用水量（升）", "Water per person per day (litres)"),
                                             _count("litres_per_person_day"),
                                             default=str(water.get("litres_per_person_day") or 50)),
        "dry_area": answers.ask("water.dry_area", tr("是否干旱缺水地区？（是/否）", "Dry area? (yes/no)"), _bool,
                                default=_yn(water.get("dry_area")) or "否", show=_yn),
        "piped": answers.ask("water.piped", tr("自来水入户？（是/否）", "Piped into the house? (yes/no)"), _bool,
                             default=_yn(water.get("piped")) or "是", show=_yn),
    }
    if not raw["water"]["piped"]:
        raw["water"]["trip_minutes"] = answers.ask("water.trip_minutes", tr("单次取水往返（分钟）", "One water trip (minutes)"),
                                                   _count("trip_minutes"), default=str(water.get("trip_minutes") or 10))
    raw["water"]["cut_days"] = answers.ask("water.cut_days", tr("一年断水天数", "Days without supply per year"),
                                           _count("cut_days"), default=str(water.get("cut_days") or 0))
    raw["water"]["quality_ok"] = answers.ask("water.quality_ok", tr("水质达标？（是/否）", "Water quality fine? (yes/no)"),
                                             _bool, default=_yn(water.get("quality_ok")) or "是", show=_yn)
    raw["events"] = []
    while True:
        key = f"event.{len(raw['events'])}"
        kind = answers.ask(f"{key}.type", tr("突发事件（{n}；回车表示无）", "Sudden event ({n}; Enter for none)", n=event_names()),
                           event_type, required=False, show=lambda k: tr(*EVENT_TYPES[k]))
        if not kind:
            break
        event: dict[str, Any] = {"type": kind}
        if kind == "disaster":
            event["subtype"] = answers.ask(f"{key}.subtype", tr("  灾害类型（{c}）", "  disaster type ({c})",
                                                                 c="/".join(catalog.choices("disaster_type"))),
                                           lambda t: catalog.normalize("disaster_type", t))
        event["cost"] = answers.ask(f"{key}.cost", tr("  损失或花费（元，可空）", "  loss or cost (yuan, may be empty)"),
                                    _money("损失或花费", "loss or cost"), required=False)
        event["detail"] = answers.ask(f"{key}.detail", tr("  说明（可空）", "  detail (may be empty)"), str, required=False) or ""
        raw["events"].append(event)
    raw["needs"] = answers.ask("needs", tr("需求（可空）", "Needs (may be empty)"), str, required=False) or ""
    raw["notes"] = answers.ask("notes", tr("备注（可空）", "Notes (may be empty)"), str, required=False) or ""
    return raw


def _draft_time(saved_at: str) -> str:
    from grid_cli.clock import show_time

    return show_time(saved_at, seconds=False)


def guided_visit(ledger, household: dict, members: list[dict], prev: dict | None, *, resume: bool) -> dict:
    """The guided entry, from the household's draft with `resume`. Returns the confirmed answers; on Ctrl-C,
    Ctrl-D or 否 it ends the command (typer.Exit) saying what became of the answers."""
    from grid_cli import visits

    hh_no = household["hh_no"]
    visits.require_members(members)  # before the questions, not after them
    draft = visits.read_draft(ledger, household["id"])
    if resume and draft is None:
        raise UsageError(f"{hh_no} 没有未完成的走访草稿", f"{hh_no} has no unfinished visit to resume",
                         hint_zh=f"开始新的走访：grid visit {hh_no}", hint_en=f"start a new one: `grid visit {hh_no}`")
    if draft and not resume:
        raise UsageError(f"{hh_no} 有一份未完成的走访（草稿，{_draft_time(draft[1])} 保存）",
                         f"{hh_no} has an unfinished visit (a draft saved {_draft_time(draft[1])})",
                         hint_zh=f"继续：grid visit {hh_no} --resume；放弃草稿重新开始：grid visit {hh_no} --discard-draft",
                         hint_en=f"carry on: `grid visit {hh_no} --resume`; start again: `grid visit {hh_no} --discard-draft`")
    answers = Answers(ledger, household["id"], draft[0] if draft else None)
    if draft:
        say("继续 {t} 保存的草稿：已填的 {n} 项照录，接着问其余各项", "Resuming the draft saved {t}: {n} answers as typed, then the rest",
            t=_draft_time(draft[1]), n=len(answers.values))
    try:
        raw = guided(answers, ledger, household, members, prev)
        save = ask(tr("保存这次走访？（是/否）", "Save this visit? (yes/no)"), _bool, default=tr("是", "yes"))
    except (typer.Abort, KeyboardInterrupt) as stop:
        ctrl_c = isinstance(stop, KeyboardInterrupt) or isinstance(stop.__context__, KeyboardInterrupt)
        _stopped(ledger, household, answers, ctrl_c=ctrl_c)
    if not save:
        visits.drop_draft(ledger, household["id"])
        say("未保存（这次的回答已丢弃）", "Not saved (the answers were discarded)")
        raise typer.Exit(1)
    return raw


def _stopped(ledger, household: dict, answers: Answers, *, ctrl_c: bool) -> None:
    """Ctrl-C (exit 130) or the end of the input (Ctrl-D, exit 1) before the visit was saved. The answers
    are already kept as a draft; Ctrl-C offers to throw them away instead."""
    from grid_cli import visits

    console.print()  # the prompt's line was left open
    code, hh_no, n = INTERRUPTED if ctrl_c else 1, household["hh_no"], len(answers.values)
    if not n:
        say("未保存", "Not saved")
        raise typer.Exit(code)
    keep = True
    if ctrl_c:
        try:
            keep = ask(tr("保留已填的 {n} 项，稍后继续？（是/否）", "Keep the {n} answers to carry on later? (yes/no)", n=n),
                       _bool, default=tr("是", "yes"))
        except (typer.Abort, KeyboardInterrupt):  # a second Ctrl-C, or the input closed: keep them
            console.print()
    if keep:
        say("本次走访未保存；已填的 {n} 项留作草稿，接着填：", "The visit was not saved; its {n} answers are kept as a draft. "
            "To carry on:", n=n)
        console.print(f"  grid visit {hh_no} --resume", markup=False, highlight=False)  # its own line: whole, to copy
    else:
        visits.drop_draft(ledger, household["id"])
        say("本次走访未保存，已填的回答已丢弃", "The visit was not saved; its answers were discarded")
    raise typer.Exit(code)


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"{what} 应写成 成员=值（成员用姓名或证件号码）", f"{what} takes member=value (name or ID number)")
        out[key.strip()] = value.strip()
    return out


def from_options(prev: dict | None, opts: dict[str, Any]) -> dict:
    """A visit from options: the previous visit's answers, overridden by what was given."""
    raw: dict[str, Any] = {k: v for k, v in (prev or {}).items()
                           if k in ("visitor", "channel", "income", "spending", "house_grade", "water")}
    raw["income"] = dict(raw.get("income") or {})
    raw["spending"] = dict(raw.get("spending") or {})
    raw["water"] = dict(raw.get("water") or {}) or None
    for key in ("date", "visitor", "channel", "house_grade", "needs", "notes"):
        if opts.get(key) is not None:
            raw[key] = opts[key]
    for key in ("wages", "business", "property", "transfer", "production_costs"):
        if opts.get(key) is not None:
            raw["income"][key] = opts[key]
    for key in ("medical", "other_rigid"):
        if opts.get(key) is not None:
            raw["spending"][key] = opts[key]
    water = {k: opts[k] for k in ("litres_per_person_day", "dry_area", "piped", "trip_minutes", "cut_days", "quality_ok")
             if opts.get(k) is not None}
    if water:
        raw["water"] = {**(raw.get("water") or {}), **water}
    if opts.get("residents"):
        raw["residents"] = opts["residents"]
    members: dict[str, dict] = {}
    for ref, value in _pairs(opts.get("school"), "--school").items():
        status, _, reason = value.partition(":")
        members.setdefault(ref, {})["school_status"] = status
        if reason:
            members[ref]["dropout_reason"] = reason
    for ref, value in _pairs(opts.get("insured"), "--insured").items():
        members.setdefault(ref, {})["medical_insurance"] = value
    raw["members"] = members
    events = []
    for text in opts.get("events") or []:
        kind, _, rest = text.partition(":")
        subtype, _, cost = rest.partition(":")
        events.append({"type": kind, "subtype": subtype or None, "cost": cost or None})
    raw["events"] = events
    return {k: v for k, v in raw.items() if v is not None}


def visit_command(
    household: Annotated[str, typer.Argument(help="户编号或记录编号 household number or record id")],
    from_file: Annotated[Optional[Path], typer.Option("--from-file", help="走访文件 the visit as JSON (keys in the README)")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不提问 no questions: the previous visit's answers and the options given")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="继续未完成的走访 carry on an interrupted visit (its draft)")] = False,
    discard_draft: Annotated[bool, typer.Option("--discard-draft", help="丢弃未完成的走访草稿 throw away an unfinished visit's draft")] = False,
    date: Annotated[Optional[str], typer.Option("--date", help="走访日期 visit date (default today; 2026年11月20日 works)")] = None,
    visitor: Annotated[Optional[str], typer.Option("--visitor", help="走访人 visitor")] = None,
    channel: Annotated[Optional[str], typer.Option("--channel", help="走访方式 channel: 入户 home | 电话 phone")] = None,
    wages: Annotated[Optional[str], typer.Option("--wages", help="工资性收入 wages, yuan/year")] = None,
    business: Annotated[Optional[str], typer.Option("--business", help="生产经营性收入 farm/business income")] = None,
    property_: Annotated[Optional[str], typer.Option("--property", help="财产性收入 property income")] = None,
    transfer: Annotated[Optional[str], typer.Option("--transfer", help="转移性收入 transfers")] = None,
    costs: Annotated[Optional[str], typer.Option("--costs", help="生产经营性支出 production costs")] = None,
    medical: Annotated[Optional[str], typer.Option("--medical", help="合规自付医疗支出 eligible out-of-pocket medical spending")] = None,
    other_rigid: Annotated[Optional[str], typer.Option("--other-rigid", help="其他刚性支出 other rigid spending")] = None,
    resident: Annotated[Optional[list[str]], typer.Option("--resident", help="常住成员 resident member, name or ID (repeatable)")] = None,
    house_grade: Annotated[Optional[str], typer.Option("--house-grade", help="危房等级 house safety grade A-D")] = None,
    water_litres: Annotated[Optional[str], typer.Option("--water-litres", help="每人每天用水量（升） litres per person per day")] = None,
    dry_area: Annotated[Optional[bool], typer.Option("--dry-area/--not-dry-area", help="干旱缺水地区 dry area")] = None,
    piped: Annotated[Optional[bool], typer.Option("--piped/--not-piped", help="自来水入户 piped into the house")] = None,
    water_minutes: Annotated[Optional[str], typer.Option("--water-minutes", help="单次取水往返（分钟） one water trip, minutes")] = None,
    cut_days: Annotated[Optional[str], typer.Option("--cut-days", help="一年断水天数 days without water a year")] = None,
    water_ok: Annotated[Optional[bool], typer.Option("--water-ok/--water-bad", help="水质达标 water quality fine / bad")] = None,
    school: Annotated[Optional[list[str]], typer.Option("--school", help="成员=在校生状况[:失学原因] member=schooling[:reason], e.g. 罗明=失学辍学:因家庭经济困难")] = None,
    insured: Annotated[Optional[list[str]], typer.Option("--insured", help="成员=是|否 member=yes|no: 参加基本医疗保险 basic medical insurance")] = None,
    event: Annotated[Optional[list[str]], typer.Option("--event", help="突发事件 TYPE[:SUBTYPE[:COST]], e.g. 自然灾害:洪涝:8000 or disaster:flood:8000")] = None,
    needs: Annotated[Optional[str], typer.Option("--needs", help="需求 needs")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes", help="备注 notes")] = None,
    followup: Annotated[bool, typer.Option("--followup", help="回头看：对风险已消除户的回访 a follow-up of a household whose risk was eliminated")] = False,
) -> None:
    """Record a home visit and show the household's findings with their reasons."""
    from grid_cli import households as hh_core
    from grid_cli import visits
    from grid_cli.findings import assess

    ledger = open_ledger()
    household = hh_core.find_household(ledger, household)
    members = hh_core.members_of(ledger, household["id"], active_only=True)
    prev = visits.previous(ledger, household["id"])
    opts = {"date": date, "visitor": visitor, "channel": channel, "wages": wages, "business": business,
            "property": property_, "transfer": transfer, "production_costs": costs, "medical": medical,
            "other_rigid": other_rigid, "residents": resident, "house_grade": house_grade,
            "litres_per_person_day": water_litres, "dry_area": dry_area, "piped": piped, "trip_minutes": water_minutes,
            "cut_days": cut_days, "quality_ok": water_ok, "school": school, "insured": insured, "events": event,
            "needs": needs, "notes": notes}
    given = from_file or yes or any(v not in (None, []) for v in opts.values())
    if resume and (given or discard_draft):
        raise UsageError("--resume 接着问草稿以外的各项，不能与其他走访选项同用",
                         "--resume asks for the rest of the draft's visit; it takes no other visit options")
    if discard_draft:
        visits.drop_draft(ledger, household["id"])
    if from_file:
        try:
            raw = document(Path(from_file).read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise UsageError(f"找不到文件：{from_file}", f"no such file: {from_file}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise UsageError(f"{from_file} 不是有效的 JSON（{error}）", f"{from_file} is not valid JSON ({error})") from None
        if not isinstance(raw, dict):
            raise UsageError(f"{from_file} 应是一个 JSON 对象", f"{from_file} must hold one JSON object")
        raw.setdefault("visitor", ledger.meta("monitor_name"))
    elif given:
        raw = from_options(prev, opts)
        raw.setdefault("visitor", ledger.meta("monitor_name"))
        if "date" not in raw:
            from grid_cli.clock import today

            raw["date"] = today().isoformat()
    else:
        raw = guided_visit(ledger, household, members, prev, resume=resume)
    if followup:
        raw["followup"] = True
    _visit_id, data = visits.record(ledger, household["hh_no"], raw, drop_draft=not given)
    say("已保存走访 {d}（人均纯收入 {pc:,} 元）", "Visit of {d} saved (per-capita net income {pc:,} yuan)",
        d=data["date"], pc=data["per_capita"])
    with afterwards():  # the visit is saved: what follows may warn, never turn the exit code into a failure
        if given and visits.read_draft(ledger, household["id"]):
            warn("该户还有一份未完成的走访草稿：grid visit {h} --resume 继续，--discard-draft 丢弃",
                 "this household still has an unfinished visit: `grid visit {h} --resume` to carry on, "
                 "--discard-draft to throw it away", h=household["hh_no"])
        result = assess(ledger, household_ids=[household["id"]])
        from grid_cli.commands.common import show_findings, warn_no_threshold

        show_findings(result.findings, result.grades().get(household["id"], "green"))
        warn_no_threshold(result)
