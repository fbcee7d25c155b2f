"""`grid import households`: layouts, encodings, every bad cell reported, all-or-nothing, idempotence."""

import csv
import json

import pytest

from conftest import MEMBER_HEADERS, count, digest, good_rows, make_id, member_row, rows_of, write_workbook, wrong_check
from grid_cli.importer.households import ImportRefused, import_households
from grid_cli.ledger import Ledger


def flat(text: str) -> str:
    return " ".join(text.split())


def problems_of(ledger_path, path, **kw):
    ledger = Ledger.open(ledger_path)
    try:
        with pytest.raises(ImportRefused) as caught:
            import_households(ledger, path, **kw)
    finally:
        ledger.close()
    return {(p.sheet, p.row, p.column): p.error.en for p in caught.value.report.problems}


def summary(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if result.stdout.startswith("{") else {}


def test_clean_import(run, ledger_path, workbook):
    report = summary(run("import", "households", workbook(), "--json"))
    assert (report["households_added"], report["members_added"]) == (3, 6)
    assert report["problems"] == [] and report["rejects_file"] is None
    hh = {r["hh_no"]: r for r in rows_of(ledger_path, "SELECT * FROM households")}
    assert hh["A001"]["hh_type"] == "脱贫户" and hh["A001"]["phone"] == "13912345678"  # the head's phone
    assert hh["A003"]["category"] == "边缘易致贫户" and hh["A003"]["grid"] == "G1"
    members = rows_of(ledger_path, "SELECT * FROM members WHERE name = '郑九'")
    assert members[0]["relation"] == "之女" and members[0]["birth_date"] == "2010-01-01"
    assert members[0]["medical_insurance"] == 1 and members[0]["sex"] == "女"


def test_reimport_changes_nothing(run, ledger_path, workbook):
    path = workbook()
    summary(run("import", "households", path))
    changes, before = count(ledger_path, "changes"), digest(ledger_path)
    report = summary(run("import", "households", path, "--json"))
    assert (report["households_added"], report["households_updated"], report["households_unchanged"]) == (0, 0, 3)
    assert (report["members_added"], report["members_updated"], report["members_unchanged"]) == (0, 0, 6)
    assert count(ledger_path, "changes") == changes
    assert digest(ledger_path) == before


def test_updated_file_updates_and_never_duplicates(run, ledger_path, workbook):
    summary(run("import", "households", workbook()))
    rows = good_rows()
    rows[1][8] = "长期慢性病"  # 李小花's health
    rows[2][13] = "脱贫户"  # A002 becomes 脱贫户
    rows.append(member_row("A002", "王小五", make_id("20000101", 35), "之子", hh_type="脱贫户"))
    report = summary(run("import", "households", workbook(rows), "--json"))
    assert (report["households_added"], report["households_updated"], report["households_unchanged"]) == (0, 2, 1)
    assert (report["members_added"], report["members_updated"], report["members_unchanged"]) == (1, 1, 5)
    assert count(ledger_path, "households") == 3 and count(ledger_path, "members") == 7
    assert rows_of(ledger_path, "SELECT health FROM members WHERE name='李小花'")[0]["health"] == "长期慢性病"
    assert rows_of(ledger_path, "SELECT hh_type FROM households WHERE hh_no='A002'")[0]["hh_type"] == "脱贫户"


def test_import_keeps_local_status_changes(run, ledger_path, workbook):
    path = workbook()
    summary(run("import", "households", path))
    assert run("member", "status", make_id("19720811", 22), "死亡").exit_code == 0
    summary(run("import", "households", path))
    assert rows_of(ledger_path, "SELECT status FROM members WHERE name='李小花'")[0]["status"] == "死亡"


def bad_rows():
    rows = good_rows()
    rows += [
        member_row("B001", "错校验", wrong_check(make_id("19800101", 51)), "户主"),  # row 9
        member_row("B002", "钱三", make_id("19810101", 71), "户主"),  # row 10
        member_row("B002", "钱四", make_id("19830101", 82), "表哥"),  # row 11: unknown relation
        member_row("B003", "孙五", make_id("19600101", 91), "配偶"),  # row 12: no head
        member_row("B004", "周六", make_id("19700305", 11), "户主"),  # row 13: same ID as 张大山 (row 3)
        member_row("B005", "吴七", make_id("19900101", 13), "户主", sex="女"),  # row 14: ID says male
        member_row("B006", "赵一", make_id("19800101", 53), "户主"),  # row 15
        member_row("B006", "赵二", make_id("20300101", 55), "之子"),  # row 16: born in the future
        member_row("B007", "冯一", make_id("19800101", 57), "户主", months=-2),  # row 17: negative months
        member_row("B008", "陈一", make_id("19800101", 59), "户主", insured="也许"),  # row 18: garbage yes/no
        member_row("B009", "褚一", make_id("19800101", 61), "户主", hh_type="外星户"),  # row 19: unknown catalogue value
    ]
    return rows


EXPECTED = {
    ("家庭成员", 3, "证件号码"), ("家庭成员", 9, "证件号码"), ("家庭成员", 11, "与户主关系"), ("家庭成员", 12, "与户主关系"),
    ("家庭成员", 13, "证件号码"), ("家庭成员", 14, "性别"), ("家庭成员", 16, "证件号码"), ("家庭成员", 17, "务工时间（月）"),
    ("家庭成员", 18, "是否参加城乡居民基本医疗保险"), ("家庭成员", 19, "户类型"),
}


def test_every_bad_cell_is_reported_with_sheet_row_column(ledger_path, workbook):
    problems = problems_of(ledger_path, workbook(bad_rows()))
    assert set(problems) == EXPECTED
    assert "check digit" in problems[("家庭成员", 9, "证件号码")]
    assert "表哥" in problems[("家庭成员", 11, "与户主关系")]
    assert "no head" in problems[("家庭成员", 12, "与户主关系")]
    assert "see row 13" in problems[("家庭成员", 3, "证件号码")] and "see row 3" in problems[("家庭成员", 13, "证件号码")]
    assert "does not match the ID" in problems[("家庭成员", 14, "性别")]
    assert "birth date" in problems[("家庭成员", 16, "证件号码")]


def test_bad_rows_refuse_the_whole_file(run, ledger_path, workbook):
    before = digest(ledger_path)
    result = run("import", "households", workbook(bad_rows()))
    assert result.exit_code == 1
    text = flat(result.output)
    assert "10 problem(s) in the file; nothing was imported" in text and "--skip-invalid" in text
    assert "家庭成员" in text and "表哥" in text and "Traceback" not in text
    assert digest(ledger_path) == before


def test_skip_invalid_imports_good_households_and_writes_rejects(run, ledger_path, workbook, tmp_path):
    path = workbook(bad_rows(), name="village.xlsx")
    report = summary(run("import", "households", path, "--skip-invalid", "--json"))
    # A001 holds the duplicated ID and every B household a bad row: only A002 and A003 are clean.
    assert sorted(r["hh_no"] for r in rows_of(ledger_path, "SELECT hh_no FROM households")) == ["A002", "A003"]
    assert report["households_added"] == 2 and report["members_added"] == 4
    assert report["rejects_file"] == str(tmp_path / "village.rejects.csv")
    with open(report["rejects_file"], encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert report["rejected_rows"] == len(lines) == 13
    by_row = {int(line["行号"]): line for line in lines}
    assert by_row[11]["与户主关系"] == "表哥" and "无法识别" in by_row[11]["错误原因"]
    assert by_row[10]["错误原因"] == "同户其他行有错误"  # good row of a bad household, kept with it
    assert by_row[9]["证件号码"] == wrong_check(make_id("19800101", 51))  # as written, so it can be fixed
    assert {line["工作表"] for line in lines} == {"家庭成员"}


def test_skip_invalid_custom_rejects_path_and_reimport_is_stable(run, ledger_path, workbook, tmp_path):
    path = workbook(bad_rows())
    target = tmp_path / "out" / "bad.csv"
    summary(run("import", "households", path, "--skip-invalid", "--rejects", target))
    assert target.is_file()
    before = digest(ledger_path)
    summary(run("import", "households", path, "--skip-invalid", "--rejects", target))
    assert digest(ledger_path) == before


def test_an_id_registered_in_another_household_is_not_moved(run, ledger_path, workbook):
    summary(run("import", "households", workbook()))
    before = digest(ledger_path)
    other = [member_row("C001", "周六", make_id("19700305", 11), "户主")]  # 张大山's ID, in A001
    problems = problems_of(ledger_path, workbook(other))
    assert list(problems) == [("家庭成员", 3, "证件号码")] and "A001" in problems[("家庭成员", 3, "证件号码")]
    assert run("import", "households", workbook(other)).exit_code == 1
    assert digest(ledger_path) == before
    # once marked moved out of A001, the same file moves the person and makes them active again
    assert run("member", "status", make_id("19700305", 11), "迁出").exit_code == 0
    summary(run("import", "households", workbook(other)))
    [moved] = rows_of(ledger_path, "SELECT m.status, h.hh_no FROM members m JOIN households h ON h.id = m.household_id "
                                   "WHERE m.id_number = ?", (make_id("19700305", 11),))
    assert moved == {"status": "正常", "hh_no": "C001"}


def test_csv_in_gb18030_with_untidy_headers_and_dates(run, ledger_path, tmp_path):
    headers = [" 户编号 ", "姓名", "证件号码", "与户主关系", "出生日期", "务工时间（月）", "是否参加城乡居民基本医疗保险",
               "是否享受农村最低生活保障", "户类型"]
    rows = [
        ["D001", "黄一", make_id("19700101", 11), "户主", "19700101", "3", "是", "否", "一般户"],
        ["D001", "黄二", make_id("19721105", 12), "配偶", "1972-11-05", "0", "否", "是", "一般户"],
        ["D002", "黄三", make_id("19800315", 13), "户主", "1980年3月15日", "", "是", "否", "脱贫户"],
    ]
    path = tmp_path / "成员.csv"
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["黄家村 农户信息表"] + [""] * (len(headers) - 1))  # a title row above the header
        writer.writerow(headers)
        writer.writerows(rows)
    path.read_bytes().decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    report = summary(run("import", "households", path, "--json"))
    assert (report["households_added"], report["members_added"]) == (2, 3)
    got = {r["name"]: r for r in rows_of(ledger_path, "SELECT * FROM members")}
    assert got["黄二"]["birth_date"] == "1972-11-05" and got["黄二"]["dibao"] == 1 and got["黄二"]["medical_insurance"] == 0
    assert got["黄一"]["work_months"] == 3 and got["黄三"]["work_months"] is None
    assert rows_of(ledger_path, "SELECT hh_type FROM households WHERE hh_no='D001'")[0]["hh_type"] == "一般农户"


def test_xlsx_with_excel_dates_full_width_brackets_and_spaces(run, ledger_path, tmp_path):
    import datetime as dt

    headers = ["户编号", "姓 名", "证件号码（身份证）", "身份证号码", "与户主关系", "出生日期", "务工时间（月）", "是否参加大病保险"]
    rows = [["E001", "林一", None, make_id("19700101", 11), "户主", dt.datetime(1970, 1, 1), 6, "是"],
            ["E001", "林二", None, make_id("19721105", 12), "配偶", 26608, 0.0, "否"]]  # 26608 = 1972-11-05
    path = write_workbook(tmp_path / "e.xlsx", {"Sheet1": (headers, rows)}, title="林家 成员表")
    report = summary(run("import", "households", path, "--json"))
    assert report["members_added"] == 2
    assert "证件号码（身份证）" in report["unused_columns"]
    got = {r["name"]: r for r in rows_of(ledger_path, "SELECT * FROM members")}
    assert got["林二"]["birth_date"] == "1972-11-05" and got["林一"]["work_months"] == 6
    assert got["林一"]["serious_illness_insurance"] == 1 and got["林二"]["serious_illness_insurance"] == 0


def test_households_sheet_plus_members_sheet(run, ledger_path, tmp_path):
    hh_headers = ["户编号", "户主姓名", "联系电话", "户类型", "监测对象类别", "自然村", "是否易地搬迁"]
    hh_rows = [["F001", "何一", "13911112222", "脱贫户", "脱贫不稳定户", "河湾", "是"],
               ["F002", "何三", "13911113333", "一般农户", "", "岩脚", "否"]]
    m_headers = ["户编号", "姓名", "证件号码", "与户主关系", "健康状况"]
    m_rows = [["F001", "何一", make_id("19700101", 11), "户主", "健康"],
              ["F001", "何二", make_id("19720101", 12), "配偶", "长期慢性病"],
              ["F002", "何三", make_id("19800101", 13), "户主", "健康"]]
    path = write_workbook(tmp_path / "two.xlsx", {"户信息": (hh_headers, hh_rows), "成员信息": (m_headers, m_rows)})
    report = summary(run("import", "households", path, "--json"))
    assert (report["households_added"], report["members_added"]) == (2, 3)
    f001 = rows_of(ledger_path, "SELECT * FROM households WHERE hh_no='F001'")[0]
    assert f001["phone"] == "13911112222" and f001["category"] == "脱贫不稳定户" and f001["village"] == "河湾"
    assert json.loads(f001["flags"]) == ["易地搬迁"]
    before = digest(ledger_path)
    summary(run("import", "households", path))
    assert digest(ledger_path) == before


def test_households_sheet_rows_that_disagree_are_reported(ledger_path, tmp_path):
    hh_headers = ["户编号", "户主姓名", "户类型", "自然村"]
    hh_rows = [["G001", "甲", "脱贫户", "上寨"], ["G001", "甲", "一般农户", "上寨"]]  # 户编号 twice, different type
    path = write_workbook(tmp_path / "dup.xlsx", {"户信息": (hh_headers, hh_rows)})
    problems = problems_of(ledger_path, path)
    assert list(problems) == [("户信息", 4, "户类型")] and "differs" in problems[("户信息", 4, "户类型")]


def test_missing_household_number_is_reported(ledger_path, workbook):
    rows = good_rows()
    rows[5][2] = None
    problems = problems_of(ledger_path, workbook(rows))
    assert list(problems) == [("家庭成员", 8, "户编号")]


@pytest.mark.parametrize("content, code", [
    (b"", 3),  # empty file
    (b"PK\x03\x04 this is not really a zip", 3),
    (None, 3),  # half-written: a real workbook cut short
])
def test_corrupt_workbooks_are_refused_and_change_nothing(run, ledger_path, workbook, tmp_path, content, code):
    path = tmp_path / "broken.xlsx"
    if content is None:
        data = workbook().read_bytes()
        content = data[: len(data) // 2]
    path.write_bytes(content)
    before = digest(ledger_path)
    result = run("import", "households", path)
    assert result.exit_code == code, result.output
    assert "Excel" in result.output and "Traceback" not in result.output
    assert digest(ledger_path) == before


@pytest.mark.parametrize("name, content, code, words", [
    ("x.pdf", b"%PDF", 3, "unsupported file type"),
    ("missing.xlsx", None, 3, "no such file"),
    ("no_header.csv", "a,b,c\n1,2,3\n".encode(), 2, "no header row"),
])
def test_unreadable_inputs(run, ledger_path, tmp_path, name, content, code, words):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = digest(ledger_path)
    result = run("import", "households", path)
    assert result.exit_code == code and words in flat(result.output)
    assert digest(ledger_path) == before


def test_import_needs_a_ledger(bare_run, tmp_path, workbook):
    missing = tmp_path / "none.db"
    result = bare_run("import", "households", workbook(), ledger=missing)
    assert result.exit_code == 3 and "grid init" in flat(result.output)
    assert not missing.exists()


def test_problems_are_shown_in_chinese(run, ledger_path, workbook):
    result = run("import", "households", workbook(bad_rows()), lang="zh")
    assert result.exit_code == 1
    text = flat(result.output)
    assert "未导入任何数据" in text and "该户没有户主" in text and "…" not in result.output


def test_a_households_only_sheet_brings_in_the_heads(run, tmp_path, ledger_path):
    from conftest import make_id, rows_of, write_workbook

    head_id = make_id("19660101", 33)
    book = write_workbook(tmp_path / "hh.xlsx", {"农户": (
        ["户编号", "户主姓名", "证件号码", "自然村", "户类型", "联系电话"],
        [["H001", "周大福", head_id, "上寨", "脱贫户", "13912340000"],
         ["H002", "吴小梅", "", "下寨", "一般农户", ""]])})
    result = run("import", "households", book)
    assert result.exit_code == 0, result.output
    heads = rows_of(ledger_path, "SELECT h.hh_no, m.name, m.id_number, m.relation FROM members m "
                                 "JOIN households h ON h.id = m.household_id ORDER BY h.hh_no")
    assert heads == [{"hh_no": "H001", "name": "周大福", "id_number": head_id, "relation": "户主"},
                     {"hh_no": "H002", "name": "吴小梅", "id_number": None, "relation": "户主"}]
    again = run("import", "households", book, "--json")
    assert '"members_added": 0' in again.output


def test_a_slip_in_the_households_sheets_head_columns_refuses_nothing_when_members_are_listed(run, tmp_path,
                                                                                            ledger_path):
    """With a members sheet, the households sheet's 户主姓名/证件号码 are not what is imported: a wrong check
    digit there is not a reason to refuse the household (it was, before they were checked only when used)."""
    book = write_workbook(tmp_path / "two.xlsx", {
        "农户": (["户编号", "户主姓名", "证件号码", "自然村"], [["A002", "王老五", wrong_check(make_id("19550101", 31)), "上寨"]]),
        "家庭成员": (MEMBER_HEADERS, good_rows())})
    result = run("import", "households", book)
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in rows_of(ledger_path, "SELECT m.name FROM members m JOIN households h"
                                                    " ON h.id = m.household_id WHERE h.hh_no = 'A002'")] == ["王老五"]
