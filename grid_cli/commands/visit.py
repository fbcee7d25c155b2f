"""`grid visit HOUSEHOLD`: the guided home-visit entry, or the same visit given by options/--from-file.

Guided mode asks one thing at a time, offers the previous visit's answers as defaults (a routine
visit is mostly Enter), re-asks after a bad answer, and saves nothing until the monitor confirms.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from grid_cli.commands.common import ask, console, open_ledger, say
from grid_cli.errors import UsageError
from grid_cli.i18n import tr


def _int(text: str) -> int:
    from grid_cli.parse import parse_money

    return parse_money(text, what=("金额", "amount"))


def _bool(text: str) -> bool:
    from grid_cli.parse import parse_bool

    return parse_bool(text)


def _yn(value: Any) -> str | None:
    return None if value is None else ("是" if value else "否")


def guided(ledger, household: dict, members: list[dict], prev: dict | None) -> dict:
    """Ask for a whole visit. Raises UsageError if the input ends before it is complete."""
    from grid_cli import catalog
    from grid_cli.clock import today
    from grid_cli.parse import parse_date
    from grid_cli.rules.base import per_capita

    prev = prev or {}
    raw: dict[str, Any] = {}
    console.print(tr("[bold]走访 {n}[/]（直接回车采用方括号中的上次记录）", "[bold]Visit {n}[/] (Enter keeps the value in brackets)",
                     n=household["hh_no"]))
    raw["date"] = ask(tr("走访日期", "Visit date"), lambda t: parse_date(t).isoformat(), default=today().isoformat())
    raw["visitor"] = ask(tr("走访人", "Visitor"), str, default=prev.get("visitor") or ledger.meta("monitor_name") or "")
    raw["channel"] = ask(tr("走访方式（入户/电话）", "Channel (入户 home / 电话 phone)"),
                         lambda t: catalog.normalize("visit_channel", t), default=prev.get("channel") or "入户")
    for i, m in enumerate(members, start=1):
        console.print(f"  {i}. {m['name']}（{m.get('relation') or ''}）", markup=False)
    from grid_cli.visits import default_residents

    usual = set(default_residents(members, prev))
    before = [str(i) for i, m in enumerate(members, 1) if m["id"] in usual]

    def pick(text: str) -> list[str]:
        chosen = []
        for part in text.replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if not part.isdigit() or not 1 <= int(part) <= len(members):
                raise UsageError(f"请填 1 到 {len(members)} 的编号，用逗号隔开", f"give numbers 1-{len(members)}, comma-separated")
            chosen.append(members[int(part) - 1]["id"])
        return chosen

    raw["residents"] = ask(tr("常住成员编号", "Resident members (numbers)"), pick, default=",".join(before))
    income = prev.get("income") or {}
    raw["income"] = {}
    for key, zh, en in (("wages", "工资性收入（元/年）", "Wages (yuan/year)"),
                        ("business", "生产经营性收入（元/年）", "Farm/business income"),
                        ("property", "财产性收入（元/年）", "Property income"),
                        ("transfer", "转移性收入（元/年，含低保金、养老金）", "Transfers (allowances, pensions)"),
                        ("production_costs", "生产经营性支出（元/年）", "Production costs")):
        raw["income"][key] = ask(tr(zh, en), _int, default=str(income.get(key, 0)))
    net = sum(v for k, v in raw["income"].items() if k != "production_costs") - raw["income"]["production_costs"]
    console.print(tr("  → 人均纯收入 {pc:,} 元", "  → per-capita net income {pc:,} yuan",
                     pc=per_capita(net, len(raw["residents"]))))
    spending = prev.get("spending") or {}
    raw["spending"] = {
        "medical": ask(tr("合规自付医疗支出（元/年）", "Eligible out-of-pocket medical spending"), _int,
                       default=str(spending.get("medical", 0))),
        "other_rigid": ask(tr("其他刚性支出（元/年）", "Other rigid spending"), _int, default=str(spending.get("other_rigid", 0))),
    }
    raw["members"] = {}
    from grid_cli.rules.base import Member as RuleMember
    from grid_cli.findings import _date

    on = today()
    for m in members:
        update: dict[str, Any] = {}
        age = RuleMember(m["id"], m["name"], None, _date(m.get("birth_date"))).age(on)
        if age is not None and 6 <= age <= 15:
            update["school_status"] = ask(tr("{n}（{a}岁）在校生状况", "{n} (aged {a}) schooling", n=m["name"], a=age),
                                          lambda t: catalog.normalize("school_status", t), default=m.get("school_status") or "小学")
            if update["school_status"] == "失学辍学":
                update["dropout_reason"] = ask(tr("  失学辍学原因", "  reason"), lambda t: catalog.normalize("dropout_reason", t),
                                               default=m.get("dropout_reason") or None)
        update["medical_insurance"] = ask(tr("{n} 参加基本医疗保险？（是/否）", "{n} has basic medical insurance? (是/否)", n=m["name"]),
                                          _bool, default=_yn(m.get("medical_insurance")) or "是")
        raw["members"][m["id"]] = update
    raw["house_grade"] = ask(tr("住房安全等级（A/B/C/D）", "House safety grade (A/B/C/D)"),
                             lambda t: _grade(t), default=prev.get("house_grade") or "A")
    water = prev.get("water") or {}
    raw["water"] = {
        "litres_per_person_day": ask(tr("每人每天用水量（升）", "Water per person per day (litres)"), _int,
                                     default=str(water.get("litres_per_person_day") or 50)),
        "dry_area": ask(tr("是否干旱缺水地区？（是/否）", "Dry area? (是/否)"), _bool, default=_yn(water.get("dry_area")) or "否"),
        "piped": ask(tr("自来水入户？（是/否）", "Piped into the house? (是/否)"), _bool, default=_yn(water.get("piped")) or "是"),
    }
    if not raw["water"]["piped"]:
        raw["water"]["trip_minutes"] = ask(tr("单次取水往返（分钟）", "One water trip (minutes)"), _int,
                                           default=str(water.get("trip_minutes") or 10))
    raw["water"]["cut_days"] = ask(tr("一年断水天数", "Days without supply per year"), _int, default=str(water.get("cut_days") or 0))
    raw["water"]["quality_ok"] = ask(tr("水质达标？（是/否）", "Water quality fine? (是/否)"), _bool,
                                     default=_yn(water.get("quality_ok")) or "是")
    raw["events"] = []
    from grid_cli.visits import EVENT_TYPES, VisitEvent

    names = "/".join(z for z, _ in EVENT_TYPES.values())
    while True:
        kind = ask(tr("突发事件（{n}，回车表示无）", "Sudden event ({n}; Enter for none)", n=names),
                   lambda t: VisitEvent(type=t).type, required=False)
        if not kind:
            break
        event: dict[str, Any] = {"type": kind}
        if kind == "disaster":
            event["subtype"] = ask(tr("  灾害类型（洪涝/地质/旱灾/生物/气象/地震/其他）", "  disaster type"),
                                   lambda t: catalog.normalize("disaster_type", t))
        event["cost"] = ask(tr("  损失或花费（元，可空）", "  loss or cost (yuan, may be empty)"), _int, required=False)
        event["detail"] = ask(tr("  说明（可空）", "  detail (may be empty)"), str, required=False) or ""
        raw["events"].append(event)
    raw["needs"] = ask(tr("需求（可空）", "Needs (may be empty)"), str, required=False) or ""
    raw["notes"] = ask(tr("备注（可空）", "Notes (may be empty)"), str, required=False) or ""
    return raw


def _grade(text: str) -> str:
    grade = text.strip().upper().removesuffix("级")
    if grade not in ("A", "B", "C", "D"):
        raise UsageError(f"危房等级应为 A、B、C 或 D，而不是“{text}”", f"the grade must be A, B, C or D, not '{text}'")
    return grade


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
    household: Annotated[str, typer.Argument(help="户编号 or record id")],
    from_file: Annotated[Optional[Path], typer.Option("--from-file", help="the visit as JSON (keys in the README)")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="no questions: previous answers + the options given")] = False,
    date: Annotated[Optional[str], typer.Option("--date", help="走访日期 (default today; 2026年11月20日 works)")] = None,
    visitor: Annotated[Optional[str], typer.Option("--visitor", help="走访人")] = None,
    channel: Annotated[Optional[str], typer.Option("--channel", help="入户 | 电话")] = None,
    wages: Annotated[Optional[str], typer.Option("--wages", help="工资性收入 yuan/year")] = None,
    business: Annotated[Optional[str], typer.Option("--business", help="生产经营性收入")] = None,
    property_: Annotated[Optional[str], typer.Option("--property", help="财产性收入")] = None,
    transfer: Annotated[Optional[str], typer.Option("--transfer", help="转移性收入")] = None,
    costs: Annotated[Optional[str], typer.Option("--costs", help="生产经营性支出")] = None,
    medical: Annotated[Optional[str], typer.Option("--medical", help="合规自付医疗支出")] = None,
    other_rigid: Annotated[Optional[str], typer.Option("--other-rigid", help="其他刚性支出")] = None,
    resident: Annotated[Optional[list[str]], typer.Option("--resident", help="常住成员 (name/ID; repeatable)")] = None,
    house_grade: Annotated[Optional[str], typer.Option("--house-grade", help="危房等级 A-D")] = None,
    water_litres: Annotated[Optional[int], typer.Option("--water-litres", help="L/person/day")] = None,
    dry_area: Annotated[Optional[bool], typer.Option("--dry-area/--not-dry-area", help="干旱地区")] = None,
    piped: Annotated[Optional[bool], typer.Option("--piped/--not-piped", help="自来水入户")] = None,
    water_minutes: Annotated[Optional[int], typer.Option("--water-minutes", help="one trip, minutes")] = None,
    cut_days: Annotated[Optional[int], typer.Option("--cut-days", help="断水天数/年")] = None,
    water_ok: Annotated[Optional[bool], typer.Option("--water-ok/--water-bad", help="水质")] = None,
    school: Annotated[Optional[list[str]], typer.Option("--school", help="成员=在校生状况[:失学原因], e.g. 罗明=失学辍学:因家庭经济困难")] = None,
    insured: Annotated[Optional[list[str]], typer.Option("--insured", help="成员=是|否 (basic medical insurance)")] = None,
    event: Annotated[Optional[list[str]], typer.Option("--event", help="TYPE[:SUBTYPE[:COST]], e.g. disaster:洪涝:8000")] = None,
    needs: Annotated[Optional[str], typer.Option("--needs", help="需求")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes", help="备注")] = None,
    followup: Annotated[bool, typer.Option("--followup", help="回头看: a follow-up of a household whose risk was eliminated")] = False,
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
    if from_file:
        try:
            raw = json.loads(Path(from_file).read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise UsageError(f"找不到文件：{from_file}", f"no such file: {from_file}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise UsageError(f"{from_file} 不是有效的 JSON（{error}）", f"{from_file} is not valid JSON ({error})") from None
        if not isinstance(raw, dict):
            raise UsageError(f"{from_file} 应是一个 JSON 对象", f"{from_file} must hold one JSON object")
        raw.setdefault("visitor", ledger.meta("monitor_name"))
    elif yes or any(v not in (None, []) for v in opts.values()):
        raw = from_options(prev, opts)
        raw.setdefault("visitor", ledger.meta("monitor_name"))
        if "date" not in raw:
            from grid_cli.clock import today

            raw["date"] = today().isoformat()
    else:
        try:
            raw = guided(ledger, household, members, prev)
            if not typer.confirm(tr("保存这次走访？", "Save this visit?"), default=True):
                say("未保存", "Not saved")
                raise typer.Exit(1)
        except typer.Abort:
            raise UsageError("输入中断，本次走访未保存", "input ended; the visit was not saved") from None
    if followup:
        raw["followup"] = True
    visit_id, data = visits.record(ledger, household["hh_no"], raw)
    say("已保存走访 {d}（人均纯收入 {pc:,} 元）", "Visit of {d} saved (per-capita net income {pc:,} yuan)",
        d=data["date"], pc=data["per_capita"])
    result = assess(ledger, household_ids=[household["id"]])
    from grid_cli.commands.risk import show_findings

    show_findings(result.findings, result.grades().get(household["id"], "green"))
