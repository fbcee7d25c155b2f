"""部门筛查预警: what a department's list says about the household, set beside the ledger.

Each finding names its source (the department and the list's month) and the numbers behind it:
民政 低保/特困 the ledger does not record, or a 临时救助; 医保 not enrolled for a year, or an out-of-pocket bill
at or above `out_of_pocket`; 教育 a compulsory-age child not on the school roll (or on it while the ledger
says 失学辍学; with a roll imported as complete, a child it does not name at all); 住建 a house assessed C or D; 残联 a certificate the ledger's health does not show; 人社
registered unemployed, or employed while the ledger says not working. A finding is yellow (to verify)
until a visit confirms it (`grid dept confirm`: then red, with the visit named) or dismisses it.

Fail: 医保's list of 2026-10 says 张三 is not enrolled for 2026. Pass: the 2026-11 list shows him enrolled.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import HIGH, MEDIUM, Context, Finding, finding, yuan
from grid_cli.rules.params import RuleConfig

ID = "department"
TITLE = ("部门比对", "department lists")
EXPLAIN_ZH = """部门筛查预警：部门名单上关于该户的情况，与台账对照。

每条提示写明来源（部门和名单月份）和依据的数字：民政 有低保/特困而台账未记，或有临时救助；医保 全年未参保，
或当月合规自付达到 `out_of_pocket`；教育 义务教育年龄的孩子不在学籍名单（或在名单上而台账记为失学辍学；完整学籍名单上没有的孩子也是）；
住建 住房鉴定为 C 或 D 级；残联 有残疾证而台账健康状况未体现；人社 登记失业，或已就业而台账记为未务工。
走访核实前为黄色（待核实）；走访确认（grid dept confirm，转为红色并记下该次走访）或排除后才定。

不通过：医保 2026-10 名单显示张三 2026 年未参保。通过：2026-11 名单显示他已参保。"""  # `grid rules explain` in Chinese
SOURCES = {"dibao": ("民政", "civil affairs"), "medical": ("医保", "medical insurance"), "school": ("教育", "education"),
           "housing": ("住建", "housing"), "disability": ("残联", "disability federation"), "employment": ("人社", "human resources")}


class Config(RuleConfig):
    out_of_pocket: int  # yuan per month and person: a bill at or above it is a finding
    min_age: int  # the compulsory-education ages (as the education rule)
    max_age: int
    unsafe_grades: list[str]


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    people = {m.id: m for m in ctx.members}
    recorded = ctx.visits.latest("house_grade")
    house = recorded.house_grade if recorded else None
    bills: dict[tuple[str, str], list] = {}
    for fact in getattr(ctx, "dept", ()):
        if f"{fact.month}-01" > ctx.today.isoformat():
            continue
        member = people.get(fact.member_id) if fact.member_id else None
        if fact.member_id and member is None:
            continue  # the person has left the household since
        f = fact.facts
        if fact.kind == "medical" and "out_of_pocket" in f and member:
            bills.setdefault((member.id, f.get("settled") or fact.month), []).append(fact)
        found = _compare(ctx, fact, member, f, house, config)
        if found:
            yield _finding(ctx, fact, *found)
    for (member_id, month), facts in sorted(bills.items()):
        total = sum(x.facts["out_of_pocket"] for x in facts)
        if total >= config.out_of_pocket:
            name, last = people[member_id].name, max(facts, key=lambda x: x.month)
            yield _finding(ctx, last, f"{name} {month} 合规自付 {yuan(total)} 元", f"{name}: out-of-pocket {yuan(total)} yuan in {month}",
                           amount=total, settled=month, member=member_id)


def _compare(ctx: Context, fact, member, f: dict, house: str | None, config: Config):
    """(zh, en, facts) of what the row says that the ledger does not, or None."""
    name = member.name if member else ""
    if fact.kind == "dibao":
        benefit = f.get("benefit")
        since, since_en = (f"（{f['since']}起）", f" (since {f['since']})") if f.get("since") else ("", "")
        if benefit == "临时救助":
            amount = f.get("amount")
            return (f"{name or '该户'}获临时救助{f' {yuan(amount)} 元' if amount else ''}", f"{name or 'the household'} received"
                    f" 临时救助{f' of {yuan(amount)} yuan' if amount else ''}", {"benefit": benefit, "amount": amount})
        field, flag = ("dibao", "低保") if benefit == "低保" else ("tekun", "特困")
        recorded = flag in ctx.flags or (getattr(member, field) if member else any(getattr(m, field) for m in ctx.members))
        if not recorded:
            who_zh, who_en = (name, name) if member else ("该户", "the household")
            return (f"{who_zh}享受{benefit}{since}，台账记为否", f"{who_en} receives {benefit}{since_en} but the ledger says no",
                    {"benefit": benefit, "since": f.get("since")})
        return None
    if fact.kind == "medical" and f.get("enrolled") is False and member:
        year = f.get("year") or int(fact.month[:4])
        ledger = "，台账记为已参保" if member.medical_insurance else ""
        return (f"{name} 未参加 {year} 年基本医疗保险{ledger}", f"{name} not enrolled for {year}"
                f"{' but the ledger says enrolled' if ledger else ''}", {"year": year})
    if fact.kind == "school" and member:
        age = member.age(ctx.today)
        from grid_cli import catalog

        status = catalog.school(member.school_status)
        compulsory = age is not None and config.min_age <= age <= config.max_age
        if f.get("absent") is True:  # a complete roll that does not name the child at all
            return (f"{name}（{age}岁）不在学籍名单", f"{name} ({age}) is not on the school roll", {"age": age, "absent": True}) \
                if compulsory else None
        if f.get("roll") != "在籍" and compulsory:
            return (f"{name}（{age}岁）不在学籍名单（{f['roll']}）", f"{name} ({age}) not on the school roll ({f['roll']})",
                    {"age": age, "roll": f.get("roll")})
        if f.get("roll") == "在籍" and status.out_of_school:
            where = " ".join(x for x in (f.get("school"), f.get("grade")) if x)
            return (f"{name} 在籍{f'（{where}）' if where else ''}，台账记为失学辍学",
                    f"{name} is on the school roll{f' ({where})' if where else ''} but the ledger says out of school", {"roll": "在籍"})
        return None
    if fact.kind == "housing" and f.get("grade") in config.unsafe_grades:
        when = f.get("assessed") or fact.month
        ledger = f"，台账为 {house} 级" if house and house != f["grade"] else ""
        return (f"住房鉴定为 {f['grade']} 级（{when}）{ledger}", f"house assessed {f['grade']} in {when}"
                f"{f'; the ledger says {house}' if ledger else ''}", {"grade": f["grade"], "assessed": when})
    if fact.kind == "disability" and member and member.health != "残疾":
        what = [x for x in (f.get("grade"), f.get("category")) if x]
        return (f"{name} 持残疾人证（{'、'.join(what)}），台账健康状况为 {member.health or '空'}",
                f"{name} holds a disability certificate ({', '.join(what)}) but the ledger says {member.health or 'nothing'}",
                {"grade": f.get("grade"), "category": f.get("category")})
    if fact.kind == "employment" and member:
        when = f.get("since") or fact.month
        working = member.work_status not in (None, "", "未务工")
        if f.get("work") == "失业":
            ledger = f"，台账为 {member.work_status}" if working else ""
            return (f"{name} {when} 登记失业{ledger}", f"{name} registered unemployed in {when}"
                    f"{f'; the ledger says {member.work_status}' if ledger else ''}", {"work": "失业", "since": when})
        if f.get("work") == "就业" and not working:
            place, place_en = (f"（{f['place']}）", f" ({f['place']})") if f.get("place") else ("", "")
            return (f"{name} {when} 就业{place}，台账记为{member.work_status or '空'}", f"{name} employed in {when}{place_en}"
                    f" but the ledger says {member.work_status or 'nothing'}", {"work": "就业", "since": when})
    return None


def _finding(ctx: Context, fact, zh: str, en: str, facts: dict | None = None, **more) -> Finding:
    source_zh, source_en = SOURCES.get(fact.kind, (fact.kind, fact.kind))
    review = fact.review
    severity = HIGH if review and review.verdict == "confirmed" else MEDIUM
    zh = f"{source_zh}：{zh}（{fact.month} 名单）"
    en = f"{source_en}: {en} (list of {fact.month})"
    if severity == HIGH:
        zh += f"，已于 {review.date} 走访核实"
        en += f"; confirmed at the visit of {review.date}"
    else:
        zh += "，待核实"
        en += "; to verify"
    return finding(ctx, ID, severity, zh, en, source=fact.kind, list=fact.month, ref=fact.short,
                   visit=review.visit if review else None, **(facts or {}), **more)
