"""A roster in the national system's own vocabulary and layout (title rows, header on the third row): every
value list read, unknown values refused or kept as issue 10 says, unused columns named, rules reading the
national forms, re-import with conflicts, and the round trip through `grid export --national`."""

import json

import pytest

from conftest import Run, INIT_ARGS, digest, make_id, rows_of
from grid_cli import lifecycle
from grid_cli.ledger import Ledger

HEADERS = ["序号", "县", "乡", "村", "户编号", "人编号", "姓名", "证件类型", "证件号码", "与户主关系", "性别", "出生日期", "民族",
           "文化程度", "在校生状况", "义务教育阶段未上学原因", "健康状况", "劳动技能", "务工状况",
           "是否参加城乡居民基本医疗保险", "是否参加城镇职工基本医疗保险", "是否参加大病保险", "是否参加城乡居民基本养老保险",
           "享受低保政策情况", "享受特困供养政策情况", "家庭成员联系电话", "户联系电话", "户类型", "监测对象类别",
           "识别监测时间", "致贫/返贫风险1", "致贫/返贫风险2", "致贫/返贫风险3", "风险是否已消除", "风险消除方式",
           "消除监测时间", "人均纯收入（元）", "是否出列", "备注信息"]

DISABLED = make_id("19500101", 31) + "22"  # 20 characters: a disability certificate (category 2, grade 2)
TWENTY_TWO = make_id("19850505", 51) + "4301"  # 22 characters
PLACEHOLDER = "999999201905010026"

# (户编号, 姓名, 证件类型, 证件号码, 与户主关系, 出生日期, 民族, 文化程度, 在校生状况, 未上学原因, 健康状况, 劳动技能, 务工状况,
#  城乡医保, 职工医保, 大病保险, 养老保险, 低保, 特困, 成员电话)
PEOPLE = [
    ("N001", "韦国强", "居民身份证", make_id("19750305", 11), "户主", "", "布依族", "初中", "", "", "健康", "普通劳动能力",
     "乡（镇）内务工", "是", "否", "是", "是", "农村低保", "不享受", "13800000011"),
    ("N001", "杨秀英", "居民身份证", make_id("19780811", 22), "配偶", "", "侗族", "文盲或半文盲", "", "", "长期慢性病",
     "弱劳动力或半劳动力", "县外省内务工", "否", "是", "是", "是", "未享受", "不享受", ""),
    ("N001", "韦小龙", "", make_id("20130601", 13), "之子", "", "布依族", "", "", "因家庭经济困难", "健康", "无劳动力",
     "", "是", "", "是", "", "", "", ""),
    ("N001", "韦小凤", "", make_id("20140901", 24), "之女", "", "布依族", "", "七年级", "", "健康", "无劳动力",
     "", "是", "", "是", "", "", "", ""),
    ("N002", "蒙老大", "残疾人证", DISABLED, "户主", "", "水族", "小学", "", "", "残疾", "丧失劳动力", "", "是", "", "是", "是",
     "享受", "享受", ""),
    ("N002", "石老妹", "居民身份证", make_id("19520101", 42), "配偶", "", "穿青人", "扫盲班", "", "", "患有大病", "无劳动能力",
     "", "是", "", "是", "是", "未享受", "享受", ""),
    ("N003", "吴家强", "残疾人证", TWENTY_TWO, "户主", "", "仡佬族", "高中", "", "", "健康", "技能劳动力",
     "乡（镇）外县内务工", "是", "", "是", "是", "", "", "13800000033"),
    ("N003", "吴一", "", make_id("20100101", 53), "之子", "", "仡佬族", "", "普通高中一年级", "", "健康", "无劳动力", "",
     "是", "", "", "", "", "", ""),
    ("N003", "吴二", "", make_id("20160101", 64), "之女", "", "仡佬族", "", "小学", "", "健康", "无劳动力", "", "是", "", "",
     "", "", "", ""),
    ("N003", "吴三", "", make_id("20120301", 55), "之子", "", "仡佬族", "", "失学或辍学", "因病", "长期慢性病", "无劳动力", "",
     "是", "", "", "", "", "", ""),
    ("N003", "吴四", "", make_id("20210101", 66), "之女", "", "仡佬族", "", "学龄前儿童", "", "健康", "无劳动力", "", "是",
     "", "", "", "", "", ""),
    ("N003", "吴五", "", make_id("20080101", 57), "之子", "", "仡佬族", "", "中职二年级", "", "健康", "无劳动力", "", "是",
     "", "", "", "", "", ""),
    ("N003", "吴小妹", "户口簿", PLACEHOLDER, "之外孙女", "2019-05-01", "仡佬族", "", "学前教育", "", "健康", "无劳动力", "",
     "是", "", "", "", "", "", ""),
    ("N004", "潘建", "居民身份证", make_id("19800101", 71), "户主", "", "苗族", "大专", "", "", "健康", "技能劳动力", "省外务工",
     "是", "", "是", "是", "", "", "13800000044"),
    ("N004", "潘一", "", make_id("20050101", 73), "之子", "", "苗族", "", "高职高专一年级", "", "健康", "无劳动力", "", "是",
     "", "", "", "", "", ""),
    ("N004", "潘二", "", make_id("20030101", 84), "之女", "", "苗族", "", "本科三年级", "", "健康", "无劳动力", "", "是", "",
     "", "", "", "", ""),
    ("N004", "潘三", "", make_id("19980101", 75), "之子", "", "苗族", "", "硕士生及以上", "", "健康", "无劳动力", "", "是", "",
     "", "", "", "", ""),
    ("N004", "潘四", "", make_id("20090101", 86), "之女", "", "苗族", "", "技师学院一年级", "", "健康", "无劳动力", "", "是",
     "", "", "", "", "", ""),
    ("N004", "潘五", "", make_id("20130101", 77), "之子", "", "苗族", "", "八年级", "", "健康", "无劳动力", "", "是", "", "",
     "", "", "", ""),
    ("N004", "潘六", "", make_id("20110101", 88), "之女", "", "苗族", "", "九年级", "", "健康", "无劳动力", "", "是", "", "",
     "", "", "", ""),
    ("N005", "黎单身", "居民身份证", make_id("19800202", 91), "户主", "", "黎族", "小学", "", "", "健康", "无劳动能力", "",
     "是", "", "是", "是", "不享受", "不享受", ""),
]
# 户编号 -> (户联系电话, 户类型, 监测对象类别, 识别监测时间, risks, 风险是否已消除, 风险消除方式, 消除监测时间)
HOUSEHOLDS = {
    "N001": ("13900000001", "脱贫户", "脱贫不稳定户", "2025-03-10", ("因安全住房", "因务工就业不稳", ""), "否", "", ""),
    "N002": ("", "一般农户", "边缘易致贫户", "202406", ("缺劳动力", "因病", ""), "是", "自然消除", "202510"),
    "N003": ("13900000003", "一般农户", "", "", ("", "", ""), "", "", ""),
    "N004": ("", "脱贫户", "突发严重困难户", "20260105", ("因安全饮水", "因残", "因学"), "否", "", ""),
    "N005": ("", "一般农户", "", "", ("", "", ""), "", "", ""),
}


def roster_rows(people=PEOPLE, households=HOUSEHOLDS):
    rows = []
    for i, p in enumerate(people, start=1):
        hh = households[p[0]]
        sex = "女" if p[3] == PLACEHOLDER else ""  # otherwise read from the ID number
        member = [*p[1:5], sex, *p[5:]]
        rows.append([i, "云岭县", "桃溪镇", "青石村", p[0], f"P{i:03d}", *member, hh[0], hh[1], hh[2], hh[3], *hh[4],
                     hh[5], hh[6], hh[7], "8000", "否", "无"])
    return rows


def write_roster(path, rows=None):
    """The national export's layout: a merged title, a line naming the place and time, the header on row 3."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "监测对象信息"
    sheet.append(["（自定义）监测对象信息"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(["导出单位：云岭县桃溪镇青石村", None, None, "导出时间：2026-11-20"])
    sheet.append(HEADERS)
    for row in rows if rows is not None else roster_rows():
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def roster(tmp_path):
    return write_roster(tmp_path / "监测对象信息.xlsx")


def ok(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if result.stdout.lstrip().startswith("{") else {}


def members(ledger_path) -> dict:
    return {r["name"]: r for r in rows_of(ledger_path, "SELECT * FROM members")}


def test_the_national_vocabulary_imports_as_it_is_written(run, ledger_path, roster):
    report = ok(run("import", "households", roster, "--json"))
    assert (report["households_added"], report["members_added"]) == (5, len(PEOPLE))
    m = members(ledger_path)
    assert [m[n]["school_status"] for n in ("韦小凤", "潘五", "潘六", "吴一", "吴五", "潘一", "潘四", "潘二", "潘三", "吴四",
                                            "吴小妹", "吴二")] == [
        "七年级", "八年级", "九年级", "普通高中一年级", "中职二年级", "高职高专一年级", "技师学院一年级", "本科三年级",
        "硕士生及以上", "学龄前儿童", "学前教育", "小学"]
    # out of school: written 失学或辍学, or left empty with the reason in its own column
    assert (m["韦小龙"]["school_status"], m["韦小龙"]["dropout_reason"]) == ("失学辍学", "因家庭经济困难")
    assert (m["吴三"]["school_status"], m["吴三"]["dropout_reason"]) == ("失学辍学", "因病")
    assert [m[n]["work_status"] for n in ("韦国强", "杨秀英", "吴家强", "潘建")] == ["乡镇内务工", "省内县外务工", "县内务工", "省外务工"]
    assert (m["韦国强"]["dibao"], m["杨秀英"]["dibao"], m["蒙老大"]["tekun"], m["韦国强"]["tekun"]) == (1, 0, 1, 0)
    assert m["韦国强"]["phone"] == "13800000011" and m["韦国强"]["labour_skill"] == "普通劳动力"
    assert (m["杨秀英"]["medical_insurance"], m["杨秀英"]["employee_medical_insurance"]) == (0, 1)
    assert m["韦国强"]["pension_insurance"] == 1 and m["韦国强"]["serious_illness_insurance"] == 1
    assert (m["蒙老大"]["id_type"], m["蒙老大"]["disability_grade"], m["蒙老大"]["id_number"]) == ("残疾人证", "二级", DISABLED)
    assert (m["吴家强"]["id_number"], m["吴家强"]["birth_date"], m["吴家强"]["disability_grade"]) == (TWENTY_TWO, "1985-05-05", "三级")
    assert (m["吴小妹"]["id_number"], m["吴小妹"]["birth_date"], m["吴小妹"]["id_type"]) == (PLACEHOLDER, "2019-05-01", "户口簿")
    assert (m["韦国强"]["ethnicity"], m["杨秀英"]["ethnicity"], m["蒙老大"]["ethnicity"]) == ("布依族", "侗族", "水族")
    assert (m["杨秀英"]["education"], m["潘建"]["education"], m["石老妹"]["labour_skill"]) == ("文盲或半文盲", "大专", "无劳动力")
    hh = {r["hh_no"]: r for r in rows_of(ledger_path, "SELECT * FROM households")}
    assert hh["N001"]["phone"] == "13900000001" and hh["N003"]["phone"] == "13900000003"
    assert hh["N004"]["phone"] == "13800000044"  # no household phone: the head's
    ledger = Ledger.open(ledger_path)
    try:
        n1 = lifecycle.current(ledger, hh["N001"]["id"])
        n2 = lifecycle.current(ledger, hh["N002"]["id"])
        n4 = lifecycle.current(ledger, hh["N004"]["id"])
    finally:
        ledger.close()
    assert n1.monitored and n1.category == "脱贫不稳定户" and n1.risks == ("因安全住房", "因务工就业不稳")
    assert n2.eliminated and n2.elimination_method == "自然消除" and n2.eliminated_month == "2025-10"
    assert n2.identified.isoformat() == "2024-06-01" and n2.risks == ("缺劳动力", "因病")
    assert n4.risks == ("因安全饮水", "因残", "因学") and n4.identified.isoformat() == "2026-01-05"


def test_unused_columns_are_named_and_values_no_rule_reads_are_kept_with_one_warning_each(run, ledger_path, roster):
    report = ok(run("import", "households", roster, "--json"))
    assert report["unused_columns"] == ["序号", "县", "乡", "村", "人编号", "人均纯收入（元）", "是否出列", "备注信息"]
    assert sorted((w["column"], w["value"], w["rows"]) for w in report["warnings"]) == [
        ("文化程度", "扫盲班", 1), ("民族", "穿青人", 1)]
    assert members(ledger_path)["石老妹"]["ethnicity"] == "穿青人"
    result = run("import", "households", roster, lang="zh")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "未使用的列：序号、县、乡、村、人编号、人均纯收入（元）、是否出列、备注信息" in text
    assert "民族“穿青人”不在全国名单中，已按原样保存（1 行）" in text


@pytest.mark.parametrize("index, column, raw, nearest", [
    (0, 11, "普通劳动者", "普通劳动力"),  # 劳动技能 (index into a PEOPLE tuple)
    (3, 8, "初中二年", "八年级"),  # 在校生状况
    (0, 10, "大病患者", "患有大病"),  # 健康状况
])
def test_an_unknown_value_a_rule_reads_refuses_the_file_with_the_nearest_values(run, ledger_path, tmp_path, index, column,
                                                                                 raw, nearest):
    people = [list(p) for p in PEOPLE]
    people[index][column] = raw
    path = write_roster(tmp_path / "bad.xlsx", roster_rows(people))
    before = digest(ledger_path)
    result = run("import", "households", path)
    assert result.exit_code == 1 and nearest in result.output and raw in result.output
    assert digest(ledger_path) == before
    report = ok(run("import", "households", path, "--skip-invalid", "--json"))
    bad_household = PEOPLE[index][0]
    assert report["households_added"] == 4 and bad_household not in {r["hh_no"] for r in rows_of(
        ledger_path, "SELECT hh_no FROM households")}


def test_bad_risk_type_and_identification_without_category_are_problems(run, ledger_path, tmp_path):
    households = dict(HOUSEHOLDS)
    households["N001"] = ("", "脱贫户", "", "2025-03-10", ("因安全住房", "", ""), "否", "", "")  # no category
    households["N004"] = ("", "脱贫户", "突发严重困难户", "20260105", ("因住房", "", ""), "否", "", "")  # no such risk
    path = write_roster(tmp_path / "bad.xlsx", roster_rows(PEOPLE, households))
    result = run("import", "households", path, "--json")
    assert result.exit_code == 1
    from grid_cli.importer.households import ImportRefused, import_households

    ledger = Ledger.open(ledger_path)
    try:
        with pytest.raises(ImportRefused) as caught:
            import_households(ledger, path)
    finally:
        ledger.close()
    found = {(p.row, p.column): p.error.en for p in caught.value.report.problems}
    assert "no monitoring category" in found[(4, "监测对象类别")]
    n004 = [i + 4 for i, p in enumerate(PEOPLE) if p[0] == "N004"]  # every row of the household repeats it
    assert all("因安全住房" in found[(row, "致贫/返贫风险1")] for row in n004)
    assert len(found) == 1 + len(n004)


def findings_by_rule(run) -> dict:
    result = run("risk", "--json")
    assert result.exit_code in (0, 1), result.output
    out: dict = {}
    for household in json.loads(result.stdout)["households"]:
        for f in household["findings"]:
            out.setdefault(f["rule"], {}).setdefault(household["hh_no"], []).append(f)
    return out


def test_rules_read_the_national_forms(run, ledger_path, roster):
    ok(run("import", "households", roster))
    found = findings_by_rule(run)
    # education: only the 13-year-old out of school for family hardship; 七年级/八年级/九年级 are in school,
    # the 14-year-old out of school through illness is excused
    assert list(found["education"]) == ["N001"] and found["education"]["N001"][0]["facts"]["reason"] == "因家庭经济困难"
    # medical: 杨秀英 is in the employees' scheme, so nobody is uninsured
    assert not any(f["severity"] == "high" for fs in found.get("medical", {}).values() for f in fs)
    # no labour: the elderly couple (丧失劳动力, 无劳动能力) and a working-age man with 无劳动能力; not N001 (普通劳动能力)
    assert sorted(found["no_labour"]) == ["N002", "N005"]


def test_reimport_keeps_a_local_correction_as_a_conflict_and_applies_untouched_upstream_changes(run, ledger_path, roster,
                                                                                                 tmp_path):
    ok(run("import", "households", roster))
    # a monitor's correction at a visit
    assert run("member", "edit", make_id("19780811", 22), "--set", "健康状况=患有大病").exit_code == 0
    people = [list(p) for p in PEOPLE]
    people[0][12] = "省外务工"  # upstream: 韦国强 now works outside the province (nobody changed it here)
    newer = write_roster(tmp_path / "newer.xlsx", roster_rows(people))
    report = ok(run("import", "households", newer, "--json"))
    assert report["changes"] == [{"hh_no": "N001", "entity": "member", "name": "韦国强", "field": "work_status",
                                  "old": "乡镇内务工", "new": "省外务工"}]
    [conflict] = report["conflicts"]
    assert {k: conflict[k] for k in ("hh_no", "name", "field", "kept", "file")} == {
        "hh_no": "N001", "name": "杨秀英", "field": "health", "kept": "患有大病", "file": "长期慢性病"}
    m = members(ledger_path)
    assert m["杨秀英"]["health"] == "患有大病" and m["韦国强"]["work_status"] == "省外务工"
    listed = json.loads(run("sync", "conflicts", "--json").stdout)
    assert [(c["id"], c["hh_no"], c["field"], c["kept_value"], c["lost_value"]) for c in listed] == [
        (conflict["conflict"], "N001", "health", "患有大病", "长期慢性病")]
    # the same file again: nothing changes, the conflict is not recorded twice
    before = digest(ledger_path)
    again = ok(run("import", "households", newer, "--json"))
    assert again["changes"] == [] and [c["conflict"] for c in again["conflicts"]] == [conflict["conflict"]]
    assert digest(ledger_path) == before
    # printed for people, with the conflict's number and how to settle it
    text = " ".join(run("import", "households", newer).output.split())
    assert "kept here" in text and "grid sync conflicts --pick" in text
    # reviewing it: taking the file's value
    assert run("sync", "conflicts", "--pick", str(conflict["conflict"]), "lost").exit_code == 0
    assert members(ledger_path)["杨秀英"]["health"] == "长期慢性病"
    assert ok(run("import", "households", newer, "--json"))["conflicts"] == []


def test_round_trip_through_the_national_export_is_exact(run, ledger_path, roster, tmp_path):
    ok(run("import", "households", roster))
    assert run("member", "edit", make_id("19780811", 22), "--set", "残疾等级=三级").exit_code == 0
    assert run("household", "edit", "N005", "--set", "户标识=易地搬迁,低保", "--set", "家庭住址=下寨3号").exit_code == 0
    out = tmp_path / "national.xlsx"
    result = run("export", "--national", "--out", out)
    assert result.exit_code == 0, result.output
    assert "5 households" in " ".join(result.output.split())
    from openpyxl import load_workbook

    sheet = load_workbook(out, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "（自定义）监测对象信息" and rows[2][:4] == ("县", "乡镇", "行政村", "户编号")
    header = rows[2]
    wu = next(r for r in rows[3:] if r[header.index("姓名")] == "韦小龙")
    assert wu[header.index("在校生状况")] == "失学或辍学" and wu[header.index("失学或辍学原因")] == "因家庭经济困难"
    assert next(r for r in rows[3:] if r[header.index("姓名")] == "吴家强")[header.index("务工状况")] == "乡（镇）外县内务工"
    yang = next(r for r in rows[3:] if r[header.index("姓名")] == "杨秀英")
    assert (yang[header.index("享受低保政策情况")], yang[header.index("享受特困供养政策情况")]) == ("未享受", "不享受")

    fresh = tmp_path / "fresh.db"
    again = Run(fresh)
    assert again(*INIT_ARGS, "--threshold", "7600").exit_code == 0
    ok(again("import", "households", out))
    assert _state(fresh) == _state(ledger_path)


def _state(path) -> dict:
    """Every field the ledger keeps for households and members, and each household's monitoring standing."""
    ledger = Ledger.open(path)
    try:
        households = {}
        for h in ledger.query("SELECT * FROM households ORDER BY hh_no"):
            h.pop("id"), h.pop("_v")
            standing = lifecycle.current(ledger, ledger.query("SELECT id FROM households WHERE hh_no = ?",
                                                              (h["hh_no"],))[0]["id"])
            h["standing"] = (standing.monitored, standing.category, standing.risks, standing.identified,
                             standing.eliminated, standing.eliminated_month, standing.elimination_method)
            households[h["hh_no"]] = h
        people = {}
        for m in ledger.query("SELECT m.*, h.hh_no FROM members m JOIN households h ON h.id = m.household_id"):
            for key in ("id", "_v", "household_id"):
                m.pop(key)
            people[(m["hh_no"], m["name"])] = m
        return {"households": households, "members": people}
    finally:
        ledger.close()


def test_changes_listed_mask_phones_and_id_numbers(run, ledger_path, roster, tmp_path):
    ok(run("import", "households", roster))
    households = dict(HOUSEHOLDS)
    households["N001"] = ("13911112222", *HOUSEHOLDS["N001"][1:])
    report = ok(run("import", "households", write_roster(tmp_path / "newer.xlsx", roster_rows(PEOPLE, households)), "--json"))
    assert report["changes"] == [{"hh_no": "N001", "entity": "household", "name": "", "field": "phone",
                                  "old": "139****0001", "new": "139****2222"}]
    assert rows_of(ledger_path, "SELECT phone FROM households WHERE hh_no = 'N001'")[0]["phone"] == "13911112222"
