"""Department lists on real .xlsx files: each kind's good list, bad list and re-import; each comparison finding;
clues; a visit confirming (the link kept) or dismissing; a replacing list; a hub's list travelling down."""

from __future__ import annotations

import json

import pytest

from conftest import MEMBER_HEADERS, count, digest, good_rows, make_id, member_row, rows_of, write_workbook

ZHANG = make_id("19700305", 11)  # A001 head
LI = make_id("19720811", 22)  # A001 spouse
WANG = make_id("19550101", 31)  # A002 head
ZHENG = make_id("19750101", 15)  # A003 head
JIU = make_id("20100101", 16)  # A003, 16
SHI = make_id("20120101", 17)  # A003, 14
STRANGER = make_id("19800101", 19)

LISTS = {
    "dibao": (["序号", "姓名", "证件号码", "户编号", "救助类别", "救助金额", "享受时间"], [
        [1, "王老五", WANG, None, "农村低保", 420, "2026-03"],
        [2, None, None, "A003", "临时救助", 3000, "202609"],
        [3, "路人甲", STRANGER, None, "特困供养", 600, "2026-01"]]),
    "medical": (["姓名", "证件号码", "参保状态", "参保年度", "合规自付", "结算月份"], [
        ["张大山", ZHANG, "未参保", 2026, None, None],
        ["郑八", ZHENG, "已参保", 2026, 38000, "2026-09"],
        ["路人甲", STRANGER, "未参保", 2026, None, None]]),
    "school": (["学生姓名", "身份证号码", "学籍状态", "学校", "年级"], [
        ["郑十", SHI, "辍学", "青石小学", "八年级"],
        ["郑九", JIU, "在籍", "县一中", "高一"],
        ["路人乙", make_id("20130101", 33), "在籍", "青石小学", "七年级"]]),
    "housing": (["户编号", "户主姓名", "鉴定等级", "鉴定时间"], [
        ["A002", "王老五", "C级", "2026-08-15"],
        ["A001", "张大山", "B", "2026-08-15"],
        ["Z999", "无名", "D", "2026-08-01"]]),
    "disability": (["姓名", "残疾人证号", "残疾类别", "残疾等级"], [
        ["李小花", LI + "42", "肢体", None],
        ["路人丙", make_id("19600101", 35) + "11", "视力", "一级"]]),
    "employment": (["姓名", "证件号码", "就业状态", "就业地点", "登记时间", "月收入"], [
        ["张大山", ZHANG, "登记失业", None, "2026-08", None],
        ["郑八", ZHENG, "务工", "广东东莞", "2026-07", 4500],
        ["路人丁", STRANGER, "失业", None, "2026-06", None]]),
}
BAD = {  # one bad cell each: nothing of the list is kept
    "dibao": (["姓名", "证件号码", "救助类别"], [["王老五", WANG, "低保"], ["郑八", ZHENG, "五保二"]]),
    "medical": (["姓名", "证件号码", "参保状态", "合规自付"], [["张大山", ZHANG, "未参保", None], ["郑八", ZHENG, None, "-5"]]),
    "school": (["姓名", "证件号码", "学籍状态"], [["郑十", SHI, "辍学"], ["郑九", JIU[:17] + ("0" if JIU[17] != "0" else "1"), "在籍"]]),
    "housing": (["户编号", "鉴定等级"], [["A002", "C"], ["A001", "E"]]),
    "disability": (["姓名", "证件号码", "残疾等级"], [["李小花", LI, "二级"], ["王老五", WANG, "五级"]]),
    "employment": (["姓名", "证件号码", "就业状态"], [["张大山", ZHANG, "失业"], [None, None, "就业"]]),
}


@pytest.fixture
def area(run, tmp_path, workbook):
    """A grid ledger with three households: A001 (张大山, 李小花), A002 (王老五), A003 (郑八, 郑九 16, 郑十 14)."""
    assert run("import", "households", workbook()).exit_code == 0
    return run


def book(tmp_path, kind: str, spec, name: str | None = None):
    headers, rows = spec
    return write_workbook(tmp_path / (name or f"{kind}.xlsx"), {kind: (headers, rows)}, title=f"{kind} 2026年10月名单")


def findings(run) -> dict:
    result = run("dept", "findings", "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def messages(run, lang: str = "en") -> list[str]:
    return [f["message_en" if lang == "en" else "message_zh"] for f in findings(run)["findings"]]


@pytest.mark.parametrize("kind", list(LISTS))
def test_good_list_is_kept_matched_and_reimport_changes_nothing(area, tmp_path, ledger_path, kind):
    path = book(tmp_path, kind, LISTS[kind])
    result = area("dept", "import", kind, path, "--month", "2026-10")
    assert result.exit_code == 0, result.output
    rows = len(LISTS[kind][1])
    out = " ".join(result.stdout.split())
    assert f"{rows} rows, {rows - 1} matched" in out and "1 clue(s)" in out
    kept = rows_of(ledger_path, "SELECT kind, month, rows, matched, clues FROM dept_lists")
    assert kept == [{"kind": kind, "month": "2026-10", "rows": rows, "matched": rows - 1, "clues": 1}]
    staged = rows_of(ledger_path, f"SELECT * FROM dept_{kind} ORDER BY row")
    assert len(staged) == rows and sum(r["household_id"] is None for r in staged) == 1
    assert LISTS[kind][0][-1] in staged[0]  # the department's own column, added by sqlite-utils
    assert count(ledger_path, "event_index WHERE kind = 'dept'") == rows - 1
    before = digest(ledger_path)
    again = area("dept", "import", kind, path, "--month", "2026-10")
    assert again.exit_code == 0 and "nothing changed" in " ".join(again.stdout.split())
    assert digest(ledger_path) == before


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_list_is_refused_whole(area, tmp_path, ledger_path, kind):
    before = digest(ledger_path)
    result = area("dept", "import", kind, book(tmp_path, kind, BAD[kind]), "--month", "2026-10")
    assert result.exit_code == 1, result.output
    assert "nothing was imported" in " ".join(result.output.split()) and "Row" in result.output
    assert digest(ledger_path) == before


def test_skip_invalid_keeps_good_rows_and_writes_rejects(area, tmp_path, ledger_path):
    path = book(tmp_path, "school", BAD["school"])
    result = area("dept", "import", "教育", path, "--month", "2026-10", "--skip-invalid")
    assert result.exit_code == 0, result.output
    rejects = (tmp_path / "school.rejects.csv").read_text(encoding="utf-8-sig")
    assert "郑九" in rejects and "check digit" not in rejects and "校验位" in rejects
    assert rows_of(ledger_path, "SELECT name FROM dept_school") == [{"name": "郑十"}]


def test_a_list_without_its_columns_is_one_line(area, tmp_path, ledger_path):
    path = book(tmp_path, "housing", (["姓名", "证件号码", "备注"], [["王老五", WANG, "x"]]))
    result = area("dept", "import", "住建", path, "--month", "2026-10")
    assert result.exit_code == 2
    assert "鉴定等级" in result.output and count(ledger_path, "dept_lists") == 0
    assert area("dept", "import", "水利", path, "--month", "2026-10").exit_code == 2


def test_each_comparison_finding(area, tmp_path):
    for kind, spec in LISTS.items():
        assert area("dept", "import", kind, book(tmp_path, kind, spec), "--month", "2026-10").exit_code == 0
    found = messages(area)
    expected = [
        "civil affairs: 王老五 receives 低保 (since 2026-03) but the ledger says no (list of 2026-10); to verify",
        "civil affairs: the household received 临时救助 of 3,000 yuan (list of 2026-10); to verify",
        "medical insurance: 张大山 not enrolled for 2026 but the ledger says enrolled (list of 2026-10); to verify",
        "medical insurance: 郑八: out-of-pocket 38,000 yuan in 2026-09 (list of 2026-10); to verify",
        "education: 郑十 (14) not on the school roll (辍学) (list of 2026-10); to verify",
        "housing: house assessed C in 2026-08 (list of 2026-10); to verify",
        "disability federation: 李小花 holds a disability certificate (二级, 肢体) but the ledger says 健康 (list of 2026-10); to verify",
        "human resources: 张大山 registered unemployed in 2026-08 (list of 2026-10); to verify",
        "human resources: 郑八 employed in 2026-07 (广东东莞) but the ledger says nothing (list of 2026-10); to verify",
    ]
    for line in expected:
        assert line in found, (line, found)
    assert len(found) == len(expected)
    assert all(f["grade"] == "yellow" for f in findings(area)["findings"])
    clues = findings(area)["clues"]
    assert sorted(c["name"] for c in clues) == sorted(["路人甲", "路人甲", "路人乙", "无名", "路人丙", "路人丁"])
    assert all("****" in (c["id_number"] or "****") for c in clues)  # masked
    zh = messages(area, "zh")
    assert "医保：张大山 未参加 2026 年基本医疗保险，台账记为已参保（2026-10 名单），待核实" in zh


def test_compared_with_the_ledger_a_matching_ledger_has_no_finding(area, tmp_path, ledger_path):
    # the ledger already records 王老五's 低保: 民政's list says nothing new
    assert area("member", "edit", WANG, "--set", "是否享受农村最低生活保障=是").exit_code == 0
    assert area("dept", "import", "民政", book(tmp_path, "dibao", LISTS["dibao"]), "--month", "2026-10").exit_code == 0
    assert not any("王老五" in m for m in messages(area))


def test_a_newer_list_replaces_what_an_older_one_said(area, tmp_path):
    assert area("dept", "import", "医保", book(tmp_path, "medical", LISTS["medical"]), "--month", "2026-09").exit_code == 0
    assert any("张大山 not enrolled" in m for m in messages(area))
    enrolled = (LISTS["medical"][0], [["张大山", ZHANG, "已参保", 2026, None, None]])
    assert area("dept", "import", "医保", book(tmp_path, "medical", enrolled, "m2.xlsx"), "--month", "2026-10").exit_code == 0
    assert not any("张大山 not enrolled" in m for m in messages(area))


def test_a_corrected_list_of_the_same_month_withdraws_rows_it_drops(area, tmp_path, ledger_path):
    assert area("dept", "import", "住建", book(tmp_path, "housing", LISTS["housing"]), "--month", "2026-10").exit_code == 0
    assert any("house assessed C" in m for m in messages(area))
    corrected = (LISTS["housing"][0], [LISTS["housing"][1][1]])
    result = area("dept", "import", "住建", book(tmp_path, "housing", corrected, "h2.xlsx"), "--month", "2026-10")
    assert result.exit_code == 0 and "replaces" in " ".join(result.stdout.split())
    assert not any("house assessed" in m for m in messages(area))
    assert rows_of(ledger_path, "SELECT count(*) AS n FROM dept_lists WHERE superseded_by IS NOT NULL")[0]["n"] == 1


def visit(run, hh: str, date: str = "2026-11-20"):
    result = run("visit", hh, "--date", date, "--wages", "20000", "--house-grade", "B")
    assert result.exit_code == 0, result.output


def test_a_visit_confirms_keeping_the_link_or_dismisses(area, tmp_path, ledger_path):
    assert area("dept", "import", "医保", book(tmp_path, "medical", LISTS["medical"]), "--month", "2026-10").exit_code == 0
    refs = {f["hh_no"]: f["facts"]["ref"] for f in findings(area)["findings"]}
    refused = area("dept", "confirm", "A001", refs["A001"])
    assert refused.exit_code == 2 and "no visit" in " ".join(refused.output.split())  # no visit since the list yet
    visit(area, "A001")
    visit(area, "A003")
    assert area("dept", "confirm", "A001", refs["A001"], "--note", "卡已停缴").exit_code == 0
    assert area("dept", "dismiss", "A003", refs["A003"]).exit_code == 0
    found = findings(area)["findings"]
    [confirmed] = [f for f in found if f["hh_no"] == "A001"]
    assert confirmed["grade"] == "red" and "confirmed at the visit of 2026-11-20" in confirmed["message_en"]
    visit_id = rows_of(ledger_path, "SELECT e.id FROM events e JOIN households h ON h.id = e.household_id"
                                    " WHERE h.hh_no = 'A001' AND e.kind = 'visit'")[0]["id"]
    assert confirmed["facts"]["visit"] == visit_id  # the link to the visit is kept
    assert not any(f["hh_no"] == "A003" for f in found)
    actions = [r["action"] for r in rows_of(ledger_path, "SELECT action FROM audit")]
    assert "dept-confirm" in actions and "dept-dismiss" in actions


def township_with_two_grids(tmp_path):
    """A township (T1) and its grids G1 (good_rows()) and G2 (B001), the grids' households sent up."""
    from hubkit import send_up, township

    cli = township(tmp_path)
    p = {name: tmp_path / f"{name}.db" for name in ("T1", "G1", "G2")}
    assert cli["T1"]("rules", "set", "threshold", "7600", "--year", "2026").exit_code == 0
    assert cli["G1"]("import", "households", write_workbook(tmp_path / "g1.xlsx", {"m": (MEMBER_HEADERS, good_rows())})).exit_code == 0
    g2 = [member_row("B001", "外村人", make_id("19650101", 37), "户主")]
    assert cli["G2"]("import", "households", write_workbook(tmp_path / "g2.xlsx", {"m": (MEMBER_HEADERS, g2)})).exit_code == 0
    send_up(tmp_path, cli, "G1", "G2")
    return cli, p


def test_a_hubs_list_travels_down_to_the_households_grid_only(tmp_path):
    """The township imports the list; each grid receives only the rows of its own households (sealed
    bundles, enrolled ledgers); the person in no household stays a clue at the township."""
    from hubkit import send_down

    cli, p = township_with_two_grids(tmp_path)
    assert cli["T1"]("dept", "import", "医保", book(tmp_path, "medical", LISTS["medical"]), "--month", "2026-10").exit_code == 0
    send_down(tmp_path, cli, "G1", "G2")
    got = rows_of(p["G1"], "SELECT json_extract(data, '$.facts.name') AS name FROM events WHERE kind = 'dept' ORDER BY 1")
    assert [r["name"] for r in got] == ["张大山", "郑八"]
    assert count(p["G2"], "event_index WHERE kind = 'dept'") == 0
    assert count(p["G1"], "dept_lists") == 0  # the list itself stays where it was imported
    assert [c["name"] for c in findings(cli["T1"])["clues"]] == ["路人甲"]
    assert any("张大山 not enrolled" in m for m in messages(cli["G1"]))
    assert cli["G1"]("dept", "lists").exit_code == 0


def test_a_list_for_a_future_month_is_refused(area, tmp_path, ledger_path):
    result = area("dept", "import", "医保", book(tmp_path, "medical", LISTS["medical"]), "--month", "2027-01")
    assert result.exit_code == 2 and count(ledger_path, "dept_lists") == 0


def test_department_events_of_another_shape_are_ignored_not_a_crash(area, ledger_path):
    """A bundle from an enrolled laptop can still be hostile: odd `dept`, `dept_review` and `check_exempt`
    events (as a merge would store them) must not break assessment, findings or checks."""
    from grid_cli.ledger import Ledger

    ledger = Ledger.open(ledger_path)
    household = ledger.query("SELECT id FROM households WHERE hh_no = 'A001'")[0]["id"]
    with ledger.write() as w:
        w.event("dept", household, {"kind": ["x"], "month": 202610, "facts": "none"}, date="2026-10-01")
        w.event("dept", household, {"kind": "medical", "month": "2026-10", "member": 7, "facts": {}}, date="2026-10-01")
        w.event("dept_review", household, {"ref": {"a": 1}, "verdict": None}, date="2026-10-02")
        w.event("check_exempt", household, {"check": ["labour_elderly"], "exempt": True}, date="2026-10-02")
    ledger.close()
    assert area("risk").exit_code in (0, 1)
    assert area("dept", "findings").exit_code == 0
    assert area("check", "--only", "labour_elderly").exit_code == 1


def two_villages(run, tmp_path):
    """good_rows() in 上寨 (A003: 郑九 16, 郑十 14), and in 下寨 B001 with 钱七 (10) and 钱八 (5)."""
    rows = good_rows() + [member_row("B001", "钱六", make_id("19800101", 41), "户主", village="下寨"),
                          member_row("B001", "钱七", make_id("20160501", 43), "之子", village="下寨"),
                          member_row("B001", "钱八", make_id("20210301", 45), "之子", village="下寨")]
    assert run("import", "households", write_workbook(tmp_path / "two.xlsx", {"m": (MEMBER_HEADERS, rows)})).exit_code == 0


ROLL = (["学生姓名", "身份证号码", "学籍状态", "学校", "年级"], [["郑九", JIU, "在籍", "县一中", "高一"]])


def test_a_complete_school_roll_finds_each_child_not_on_it(run, tmp_path, ledger_path):
    """With --complete, a compulsory-age (6-15, the department rule's ages) member whom the roll does not name
    is a yellow finding; a child it names, a child outside those ages (郑九 16, 钱八 5) are not."""
    two_villages(run, tmp_path)
    roll = (ROLL[0], ROLL[1] + [["钱七", make_id("20160501", 43), "在籍", "下寨小学", "四年级"]])
    result = run("dept", "import", "教育", book(tmp_path, "school", roll), "--month", "2026-10", "--complete")
    assert result.exit_code == 0, result.output
    assert "1 member(s) of compulsory-school age not on it" in " ".join(result.stdout.split())
    assert messages(run) == ["education: 郑十 (14) is not on the school roll (list of 2026-10); to verify"]
    assert messages(run, "zh") == ["教育：郑十（14岁）不在学籍名单（2026-10 名单），待核实"]
    [found] = findings(run)["findings"]
    assert found["grade"] == "yellow" and found["hh_no"] == "A003"
    assert rows_of(ledger_path, "SELECT complete FROM dept_lists") == [{"complete": "[]"}]
    listed = json.loads(run("dept", "lists", "--json").stdout)
    assert listed[0]["complete"] == []
    # the same roll again changes nothing; the same rows not said to be complete are another list, which
    # withdraws the child it did not name
    again = run("dept", "import", "教育", book(tmp_path, "school", roll), "--month", "2026-10", "--complete")
    assert again.exit_code == 0 and "nothing changed" in " ".join(again.stdout.split())
    assert run("dept", "import", "教育", book(tmp_path, "school", roll), "--month", "2026-10").exit_code == 0
    assert messages(run) == []


def test_without_complete_a_child_missing_from_the_roll_is_not_found(run, tmp_path):
    two_villages(run, tmp_path)
    assert run("dept", "import", "教育", book(tmp_path, "school", ROLL), "--month", "2026-10").exit_code == 0
    assert messages(run) == []


def test_a_complete_roll_of_some_villages_leaves_the_others_alone(run, tmp_path):
    two_villages(run, tmp_path)
    result = run("dept", "import", "教育", book(tmp_path, "school", ROLL), "--month", "2026-10", "--complete",
                 "--village", "下寨")
    assert result.exit_code == 0, result.output
    assert messages(run) == ["education: 钱七 (10) is not on the school roll (list of 2026-10); to verify"]
    assert json.loads(run("dept", "lists", "--json").stdout)[0]["complete"] == ["下寨"]
    unknown = run("dept", "import", "教育", book(tmp_path, "school", ROLL), "--month", "2026-10", "--complete",
                  "--village", "中寨")
    assert unknown.exit_code == 2 and "no village 中寨" in " ".join(unknown.output.split())


def test_only_a_school_roll_can_be_complete(area, tmp_path, ledger_path):
    result = area("dept", "import", "医保", book(tmp_path, "medical", LISTS["medical"]), "--month", "2026-10", "--complete")
    assert result.exit_code == 2 and count(ledger_path, "dept_lists") == 0
    alone = area("dept", "import", "教育", book(tmp_path, "school", ROLL), "--month", "2026-10", "--village", "上寨")
    assert alone.exit_code == 2 and count(ledger_path, "dept_lists") == 0


def test_a_child_not_on_a_complete_roll_is_confirmed_or_dismissed_at_a_visit(run, tmp_path, ledger_path):
    two_villages(run, tmp_path)
    assert run("dept", "import", "教育", book(tmp_path, "school", ROLL), "--month", "2026-10", "--complete").exit_code == 0
    refs = {f["hh_no"]: f["facts"]["ref"] for f in findings(run)["findings"]}
    assert sorted(refs) == ["A003", "B001"]
    visit(run, "A003")
    visit(run, "B001")
    assert run("dept", "confirm", "A003", refs["A003"], "--note", "已外出打工").exit_code == 0
    assert run("dept", "dismiss", "B001", refs["B001"]).exit_code == 0
    [confirmed] = findings(run)["findings"]
    assert confirmed["grade"] == "red" and confirmed["message_zh"].startswith("教育：郑十（14岁）不在学籍名单（2026-10 名单），已于")
    # a newer roll that names the child replaces what the older one said
    named = (ROLL[0], ROLL[1] + [["郑十", SHI, "在籍", "青石小学", "八年级"]])
    assert run("dept", "import", "教育", book(tmp_path, "school", named, "s2.xlsx"), "--month", "2026-11", "--complete",
               "--village", "上寨").exit_code == 0
    assert messages(run) == []


def test_a_complete_roll_imported_at_the_township_reaches_the_childs_grid(tmp_path):
    from hubkit import send_down

    cli, p = township_with_two_grids(tmp_path)
    assert cli["T1"]("dept", "import", "教育", book(tmp_path, "school", ROLL), "--month", "2026-10", "--complete").exit_code == 0
    send_down(tmp_path, cli, "G1", "G2")
    assert messages(cli["G1"]) == ["education: 郑十 (14) is not on the school roll (list of 2026-10); to verify"]
    assert count(p["G2"], "event_index WHERE kind = 'dept'") == 0
    assert json.loads(cli["G1"]("dept", "lists", "--json").stdout)[0]["complete"] == []
