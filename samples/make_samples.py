"""Writes samples/households.xlsx: a fictional grid of ~60 households in the national system's member-level
layout and vocabulary (title rows above the header on the third row, as real exports have; grade-level
在校生状况, the older 务工状况 values, 享受低保政策情况, 家庭成员联系电话, 证件类型, ethnic groups beyond the common few). Deterministic: run it again and the file
holds the same data. All names are invented; ID numbers use the non-existent area code 529999 and
carry valid GB 11643 check digits.

    python samples/make_samples.py
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

AREA = "529999"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦潘杜"
GIVEN = "秀兰建国桂英志强海燕小红明华德福玉梅家豪子涵永康春花金凤国庆文静丽娟长生雨轩俊杰晓东"
VILLAGES = ["上寨", "下寨", "河湾", "岩脚"]
HEADERS = [
    "序号", "省", "市", "县", "乡镇", "行政村", "自然村", "户编号", "姓名", "性别", "证件类型", "证件号码", "与户主关系", "民族",
    "文化程度", "在校生状况", "失学或辍学原因", "健康状况", "残疾等级", "劳动技能", "务工状况", "务工时间（月）",
    "是否参加城乡居民基本医疗保险", "是否参加大病保险", "是否参加城乡居民基本养老保险", "享受低保政策情况",
    "享受特困供养政策情况", "家庭成员联系电话", "户联系电话", "户类型", "监测对象类别", "是否易地搬迁", "识别监测时间", "风险是否已消除",
    "风险消除方式", "消除监测时间", "致贫/返贫风险1", "致贫/返贫风险2", "危房等级",
]
TODAY = dt.date(2026, 11, 1)


def id_number(rng: random.Random, birth: dt.date, male: bool) -> str:
    seq = rng.randrange(0, 99) * 10 + (rng.choice([1, 3, 5, 7, 9]) if male else rng.choice([0, 2, 4, 6, 8]))
    body = f"{AREA}{birth:%Y%m%d}{seq:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def person_name(rng: random.Random, surname: str) -> str:
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def birth_for(rng: random.Random, age: int) -> dt.date:
    return dt.date(TODAY.year - age, rng.randint(1, 12), rng.randint(1, 28))


def school_for(age: int) -> str:
    """Grade-level, as the national system writes it."""
    if age < 6:
        return "学前教育" if age >= 3 else "学龄前儿童"
    if age <= 11:
        return "小学"
    if age <= 14:
        return ["七年级", "八年级", "九年级"][age - 12]
    if age <= 17:
        return ["普通高中一年级", "中职二年级", "普通高中三年级"][age - 15]
    return ""


def member(rng, surname, relation, age, male, **over):
    birth = birth_for(rng, age)
    row = {
        "姓名": person_name(rng, surname if relation not in ("配偶", "之儿媳") else rng.choice(SURNAMES)),
        "性别": "男" if male else "女", "证件号码": id_number(rng, birth, male), "与户主关系": relation,
        "民族": rng.choice(["汉族", "汉族", "侗族", "苗族", "布依族"]),
        "文化程度": "学龄前儿童" if age < 6 else rng.choice(["小学", "初中", "初中", "高中"]) if age < 60 else rng.choice(["文盲或半文盲", "小学"]),
        "在校生状况": school_for(age), "健康状况": "健康",
        "劳动技能": "普通劳动力" if 18 <= age < 60 else ("弱劳动力或半劳动力" if 60 <= age < 70 else "无劳动力"),
        "务工状况": "未务工", "务工时间（月）": 0,
        "是否参加城乡居民基本医疗保险": "是", "是否参加大病保险": "是",
        "是否参加城乡居民基本养老保险": "是" if age >= 16 else "否",
        "享受低保政策情况": "未享受", "享受特困供养政策情况": "不享受",
    }
    if 18 <= age < 55 and rng.random() < 0.55:  # the older national work values
        row["务工状况"] = rng.choice(["乡（镇）外县内务工", "县外省内务工", "省外务工", "乡（镇）内务工"])
        row["务工时间（月）"] = rng.randint(4, 11)
    row.update(over)
    return row


def ordinary_family(rng, surname):
    head_age = rng.randint(32, 68)
    rows = [member(rng, surname, "户主", head_age, True)]
    if rng.random() < 0.85:
        rows.append(member(rng, surname, "配偶", head_age - rng.randint(0, 5), False))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        child_age = max(1, head_age - rng.randint(22, 32))
        male = rng.random() < 0.5
        rows.append(member(rng, surname, "之子" if male else "之女", child_age, male))
    if head_age < 50 and rng.random() < 0.3:
        rows.append(member(rng, surname, "之母", head_age + rng.randint(24, 30), False))
    return rows


def special_households(rng):
    """The cases the rules must catch, each a household of its own."""
    cases = []
    s = "罗"  # a child of 13 out of school
    fam = ordinary_family(rng, s)
    fam.append(member(rng, s, "之子", 13, True, 在校生状况="失学或辍学", 失学或辍学原因="因家庭经济困难", 文化程度="小学"))
    cases.append((fam, {"户类型": "脱贫户", "监测对象类别": "脱贫不稳定户", "识别监测时间": "202603", "case": "dropout",
                        "致贫/返贫风险1": "因学", "致贫/返贫风险2": "义务教育阶段适龄儿童少年失学辍学"}))
    s = "韦"  # a C-grade house
    cases.append((ordinary_family(rng, s), {"户类型": "一般农户", "危房等级": "C", "case": "house_c"}))
    s = "潘"  # a chronic patient without insurance
    fam = ordinary_family(rng, s)
    fam[0].update({"健康状况": "长期慢性病", "是否参加城乡居民基本医疗保险": "否", "是否参加大病保险": "否",
                   "劳动技能": "弱劳动力或半劳动力", "务工状况": "未务工", "务工时间（月）": 0})
    cases.append((fam, {"户类型": "一般农户", "监测对象类别": "边缘易致贫户", "识别监测时间": "20260815", "case": "uninsured",
                        "致贫/返贫风险1": "因病", "致贫/返贫风险2": "家庭成员未参加基本医疗保险"}))
    s = "杜"  # an elderly couple with no labour, 特困 and 低保
    fam = [member(rng, s, "户主", 79, True, 劳动技能="丧失劳动力", 享受低保政策情况="农村低保", 享受特困供养政策情况="享受",
                  健康状况="长期慢性病"),
           member(rng, s, "配偶", 77, False, 劳动技能="无劳动能力", 享受低保政策情况="享受")]
    cases.append((fam, {"户类型": "脱贫户", "case": "elderly"}))
    s = "郭"  # a member with a 20-character disability certificate number
    fam = ordinary_family(rng, s)
    disabled = member(rng, s, "之兄弟姐妹", 41, True, 健康状况="残疾", 残疾等级="二级", 劳动技能="弱劳动力或半劳动力",
                      务工状况="未务工", **{"务工时间（月）": 0})
    disabled["证件号码"] += "42"
    disabled["证件类型"] = "残疾人证"
    fam.append(disabled)
    cases.append((fam, {"户类型": "脱贫户", "case": "disability"}))
    s = "马"  # a relocated household (易地搬迁)
    cases.append((ordinary_family(rng, s), {"户类型": "脱贫户", "是否易地搬迁": "是", "case": "relocated"}))
    s = "唐"  # a recently eliminated household
    fam = [member(rng, s, "户主", 46, True, 劳动技能="普通劳动力", 务工状况="乡（镇）外县内务工", **{"务工时间（月）": 10}),
           member(rng, s, "配偶", 44, False), member(rng, s, "之女", 15, False)]
    cases.append((fam, {"户类型": "一般农户", "监测对象类别": "边缘易致贫户", "识别监测时间": "202302",
                                            "风险是否已消除": "是", "风险消除方式": "帮扶消除", "消除监测时间": "202609",
                                            "case": "eliminated", "致贫/返贫风险1": "因病"}))
    s = "谢"  # sudden severe hardship: a serious illness this year
    fam = ordinary_family(rng, s)
    fam[-1].update({"健康状况": "患有大病"})
    cases.append((fam, {"户类型": "一般农户", "监测对象类别": "突发严重困难户", "识别监测时间": "2026-07-10",
                        "case": "illness", "致贫/返贫风险1": "因病"}))
    s = "梁"  # monitored since early 2026, helped, income steady above the line: an elimination candidate
    fam = [member(rng, s, "户主", 39, True, 劳动技能="普通劳动力", 务工状况="乡（镇）外县内务工", **{"务工时间（月）": 10}),
           member(rng, s, "配偶", 37, False), member(rng, s, "之子", 12, True)]
    cases.append((fam, {"户类型": "一般农户", "监测对象类别": "边缘易致贫户", "识别监测时间": "202602", "case": "candidate",
                        "致贫/返贫风险1": "因务工就业不稳"}))
    s = "宋"  # a small loan (小额信贷) falling due
    cases.append((ordinary_family(rng, s), {"户类型": "脱贫户", "case": "loan"}))
    s = "孙"  # income fell sharply: the main earner came home
    cases.append((ordinary_family(rng, s), {"户类型": "脱贫户", "case": "income_fall"}))
    s = "胡"  # drinking water: too little, too far
    cases.append((ordinary_family(rng, s), {"户类型": "一般农户", "case": "water"}))
    return cases


def build(seed: int = 20261122, households: int = 60) -> tuple[list[dict], dict[str, str]]:
    """Member rows, and which 户编号 holds each special case."""
    rng = random.Random(seed)
    families = special_households(rng)
    while len(families) < households:
        fam = ordinary_family(rng, rng.choice(SURNAMES))
        kind = "脱贫户" if rng.random() < 0.45 else "一般农户"
        families.append((fam, {"户类型": kind}))
    rng.shuffle(families)
    rows, cases = [], {}
    for number, (fam, extra) in enumerate(families, start=1):
        if "case" in extra:
            cases[extra["case"]] = f"5299990301{number:04d}"
        village = VILLAGES[number % len(VILLAGES)]
        phone = f"139{rng.randint(10000000, 99999999)}"
        for person in fam:
            rows.append({
                "省": "示例省", "市": "示例市", "县": "云岭县", "乡镇": "桃溪镇", "行政村": "青石村", "自然村": village,
                "户编号": f"5299990301{number:04d}", "证件类型": "居民身份证", **person,
                "家庭成员联系电话": phone if person["与户主关系"] == "户主" else "", "户联系电话": phone,
                "户类型": extra.get("户类型", "一般农户"), "监测对象类别": extra.get("监测对象类别", ""),
                "是否易地搬迁": extra.get("是否易地搬迁", "否"), "识别监测时间": extra.get("识别监测时间", ""),
                "风险是否已消除": extra.get("风险是否已消除", ""), "风险消除方式": extra.get("风险消除方式", ""),
                "消除监测时间": extra.get("消除监测时间", ""), "致贫/返贫风险1": extra.get("致贫/返贫风险1", ""),
                "致贫/返贫风险2": extra.get("致贫/返贫风险2", ""), "危房等级": extra.get("危房等级", "B"),
            })
    return rows, cases


def write(rows: list[dict], path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "家庭成员信息"
    sheet.append(["云岭县桃溪镇青石村 农户家庭成员信息表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["填报单位：桃溪镇青石村村民委员会", None, None, None, None, None, None, None, "填报日期：2026年11月1日"])
    sheet.append(HEADERS)
    for index, row in enumerate(rows, start=1):
        sheet.append([index if h == "序号" else row.get(h, "") for h in HEADERS])
    book.save(path)


def _visit(rng, days_ago, per_capita, size, **extra):
    """A visit with incomes that add up to about `per_capita` per resident."""
    net = per_capita * size
    wages = int(net * rng.uniform(0.5, 0.8)) // 100 * 100
    transfer = int(net * 0.1) // 100 * 100
    business = net - wages - transfer + 1500
    return {"days_ago": days_ago, "visitor": "李秀兰", "channel": "入户",
            "income": {"wages": wages, "business": business, "property": 0, "transfer": transfer, "production_costs": 1500},
            "spending": {"medical": 0, "other_rigid": 0}, "house_grade": "B",
            "water": {"litres_per_person_day": 60, "piped": True, "cut_days": 0, "quality_ok": True}, **extra}


def visits(rows: list[dict], cases: dict[str, str], seed: int = 7) -> dict:
    """Seven months of visits (dates as days before the demo runs, so the demo is current whenever it
    runs) and the helpers and measures of the monitored households (their inclusion and elimination
    come from the workbook's 识别监测时间 / 风险是否已消除 columns)."""
    rng = random.Random(seed)
    sizes = {}
    for r in rows:
        sizes[r["户编号"]] = sizes.get(r["户编号"], 0) + 1
    special = {v: k for k, v in cases.items()}
    out = []
    for hh_no, size in sizes.items():
        case = special.get(hh_no)
        base = rng.randint(9000, 26000)
        for days_ago in (200, 170, 140, 110, 80, 50, 20 if rng.random() < 0.85 else 40):
            pc = int(base * rng.uniform(0.95, 1.05))
            extra = {}
            if case == "elderly":
                v = _visit(rng, days_ago, 0, size)
                v["income"] = {"wages": 0, "business": 1200, "property": 0, "transfer": 8400, "production_costs": 0}
                v["spending"]["medical"] = 2600
                out.append({"hh_no": hh_no, **v})
                continue
            if case == "income_fall" and days_ago <= 50:
                pc = int(base * 0.45)
            if case == "illness" and days_ago <= 110:
                extra["spending"] = {"medical": 46000, "other_rigid": 0}
                if days_ago == 110:
                    extra["events"] = [{"type": "illness", "detail": "确诊重病住院", "cost": 52000}]
            if case == "house_c":
                extra["house_grade"] = "C"
            if case == "water":
                extra["water"] = {"litres_per_person_day": 25, "piped": False, "trip_minutes": 35, "cut_days": 50, "quality_ok": True}
            if case in ("candidate", "eliminated"):
                pc = rng.randint(9800, 11500)
            if case == "uninsured":
                pc = rng.randint(8200, 9000)
                extra["spending"] = {"medical": 6800, "other_rigid": 0}
            if case == "dropout":
                pc = rng.randint(6600, 7200)
            out.append({"hh_no": hh_no, **_visit(rng, days_ago, pc, size), **extra})
    steps = [
        {"hh_no": cases["dropout"], "step": "helper", "days_ago": 249, "name": "王建国", "unit": "桃溪镇农业服务中心"},
        {"hh_no": cases["illness"], "step": "helper", "days_ago": 134, "name": "陈海燕", "unit": "云岭县医保局"},
        {"hh_no": cases["illness"], "step": "measure", "days_ago": 120, "kind": "健康帮扶", "detail": "大病保险二次报销"},
        {"hh_no": cases["candidate"], "step": "helper", "days_ago": 289, "name": "周志强", "unit": "青石村村委会"},
        {"hh_no": cases["candidate"], "step": "measure", "days_ago": 280, "kind": "就业帮扶", "detail": "县内企业稳岗就业"},
        {"hh_no": cases["eliminated"], "step": "helper", "days_ago": 639, "name": "刘丽娟", "unit": "桃溪镇卫生院"},
        {"hh_no": cases["eliminated"], "step": "measure", "days_ago": 630, "kind": "健康帮扶", "detail": "家庭医生签约"},
        {"hh_no": cases["loan"], "step": "measure", "days_ago": 700, "kind": "金融帮扶", "detail": "小额信贷发展养殖",
         "amount": 30000, "due_in_days": 5},
    ]
    return {"visits": out, "lifecycle": steps}


if __name__ == "__main__":
    import json

    here = Path(__file__).resolve().parent
    data, cases = build()
    write(data, here / "households.xlsx")
    (here / "visits.json").write_text(json.dumps(visits(data, cases), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len({r['户编号'] for r in data})} households, {len(data)} members -> {here / 'households.xlsx'}")
    print(f"cases: {cases}")
