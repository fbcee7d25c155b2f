"""`grid visit`: the guided entry driven with typed input, --from-file and options; bad answers are
asked again, and nothing is saved half-way."""

from __future__ import annotations

import json

import pytest

from conftest import count, digest, rows_of


@pytest.fixture
def grid(run, workbook):
    result = run("import", "households", workbook())
    assert result.exit_code == 0, result.output
    return run


def visit_rows(ledger_path):
    return rows_of(ledger_path, "SELECT e.date, e.data FROM events e JOIN households h ON h.id = e.household_id "
                                "WHERE e.kind = 'visit' ORDER BY e.date")


ANSWERS = [
    "2027-01-01",  # a future date: asked again
    "2026年11月20日",
    "", "", "",  # visitor, channel, residents: defaults
    "-5",  # negative wages: asked again
    "12000", "3000",  # wages, business
    "",  # Enter: a first visit has no income to fall back on, so it is asked again
    "0", "2000", "1000",  # property, transfer, production costs
    "", "",  # medical, other rigid
    "", "",  # 郑八, 郑九 insured (defaults 是)
    "失学辍学", "因家庭经济困难", "否",  # 郑十 (14): schooling, reason, insurance
    "E",  # a house grade that does not exist: asked again
    "C",
    "", "", "", "", "",  # water: litres, dry area, piped, cut days, quality
    "",  # no sudden event
    "", "",  # needs, notes
    "y",  # save
]


def test_guided_visit_reasks_bad_answers_saves_once_and_explains(grid, ledger_path):
    result = grid("visit", "A003", lang="zh", input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "晚于今天" in out  # the future date was explained
    assert "不能为负数" in out  # so was the negative income
    assert "A、B、C 或 D" in out  # and the grade E
    assert "首次走访须填写收入，没有就填 0" in out  # and the Enter where a first visit's income was asked
    assert "人均纯收入 5,333 元" in out  # shown while entering
    assert "人均纯收入 5,333 元 < 监测标准 7,600 元" in out  # and as a finding after saving
    assert "郑十（14岁）义务教育阶段失学辍学" in out
    assert "住房安全等级为 C 级" in out
    [saved] = visit_rows(ledger_path)
    data = json.loads(saved["data"])
    assert saved["date"] == "2026-11-20" and data["per_capita"] == 5333 and data["house_grade"] == "C"
    [child] = rows_of(ledger_path, "SELECT school_status, dropout_reason, medical_insurance FROM members WHERE name='郑十'")
    assert child == {"school_status": "失学辍学", "dropout_reason": "因家庭经济困难", "medical_insurance": 0}


def test_previous_answers_are_the_defaults_of_the_next_visit(grid, ledger_path):
    grid("visit", "A003", lang="zh", input="\n".join(ANSWERS) + "\n")
    again = ["2026-11-21"] + [""] * 30 + ["y"]  # Enter everywhere: a routine visit
    result = grid("visit", "A003", lang="zh", input="\n".join(again) + "\n")
    assert result.exit_code == 0, result.output
    first, second = (json.loads(r["data"]) for r in visit_rows(ledger_path))
    assert second["income"] == first["income"] and second["house_grade"] == "C"
    assert second["residents"] == first["residents"]


def test_input_ending_half_way_saves_no_visit_and_keeps_the_answers(grid, ledger_path):
    before = count(ledger_path, "changes")
    result = grid("visit", "A003", lang="en", input="2026-11-20\n\n\n\n12000\n")
    assert result.exit_code == 1, result.output  # not 2: nothing was wrong with how it was called
    assert "not saved" in result.output and "grid visit A003 --resume" in result.output
    assert count(ledger_path, "changes") == before and not visit_rows(ledger_path)
    [draft] = rows_of(ledger_path, "SELECT answers FROM visit_drafts")
    assert json.loads(draft["answers"])["income.wages"] == 12000


@pytest.mark.parametrize("no", ["n", "否", "no"])
def test_declining_to_save_saves_nothing(grid, ledger_path, no):
    before = digest(ledger_path)
    answers = ANSWERS[:-1] + [no]
    result = grid("visit", "A003", lang="zh", input="\n".join(answers) + "\n")
    assert result.exit_code == 1 and "未保存" in result.output
    assert digest(ledger_path) == before  # the draft went too: 否 is a decision


@pytest.mark.parametrize("lang,yes", [("zh", "是"), ("zh", "y"), ("en", "yes"), ("en", "Y"), ("zh", "")])
def test_the_final_question_takes_chinese_and_english_yes(grid, ledger_path, lang, yes):
    answers = ANSWERS[:-1] + ["好的", yes]  # a word that is neither: explained in the language in use, asked again
    result = grid("visit", "A003", lang=lang, input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert ("应填“是”或“否”，而不是“好的”" if lang == "zh" else "expected yes/no (是/否), got '好的'") in result.output
    assert "invalid input" not in result.output
    assert len(visit_rows(ledger_path)) == 1 and count(ledger_path, "visit_drafts") == 0


def test_from_file(grid, ledger_path, tmp_path):
    visit = {"date": "2026-11-18", "visitor": "李秀兰", "channel": "电话",
             "income": {"wages": 30000, "transfer": 1200, "production_costs": 200},
             "spending": {"medical": 25000}, "residents": ["张大山", "李小花"],
             "members": {"李小花": {"medical_insurance": False}},
             "house_grade": "b", "water": {"litres_per_person_day": 50, "piped": True},
             "events": [{"type": "disaster", "subtype": "洪涝", "cost": 8000}], "notes": "雨季漏水"}
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(visit, ensure_ascii=False), encoding="utf-8")
    result = grid("visit", "A001", "--from-file", path, lang="en")
    assert result.exit_code == 0, result.output
    assert "15,500 yuan" in result.output  # (30000 + 1200 - 200) / 2
    assert "members without basic medical insurance: 李小花" in result.output
    assert "eligible out-of-pocket spending 25,000 yuan" in result.output
    [saved] = visit_rows(ledger_path)
    data = json.loads(saved["data"])
    assert data["channel"] == "电话" and data["events"][0]["subtype"] == "洪涝" and len(data["residents"]) == 2


@pytest.mark.parametrize("change,message", [
    ({"income": {"wages": -1}}, "negative"),
    ({"date": "2030-01-01"}, "future"),
    ({"house_grade": "E"}, "A, B, C or D"),
    ({"residents": ["nobody"]}, "no member 'nobody'"),
    ({"events": [{"type": "meteor"}]}, "one of"),
    ({"colour": "red"}, "colour"),
    ({"channel": {"a": True}}, "visit channel must be text"),  # found by the slow fuzz: a TypeError, exit 4
    ({"channel": ["电话"]}, "visit channel must be text"),
])
def test_bad_visit_files_are_refused_whole(grid, ledger_path, tmp_path, change, message):
    visit = {"date": "2026-11-18", "visitor": "李秀兰", "income": {"wages": 30000}, **change}
    path = tmp_path / "visit.json"
    path.write_text(json.dumps(visit, ensure_ascii=False), encoding="utf-8")
    before = digest(ledger_path)
    result = grid("visit", "A001", "--from-file", path, lang="en")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert digest(ledger_path) == before


def test_not_json_is_a_plain_error(grid, ledger_path, tmp_path):
    path = tmp_path / "visit.json"
    path.write_text("{half", encoding="utf-8")
    result = grid("visit", "A001", "--from-file", path, lang="en")
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_options_take_the_previous_visit_as_base(grid, ledger_path):
    result = grid("visit", "A002", "--date", "2026-10-01", "--wages", "6000", "--house-grade", "D", lang="en")
    assert result.exit_code == 0, result.output
    assert "house safety grade D" in result.output
    result = grid("visit", "A002", "--date", "2026-11-01", "--wages", "9000", lang="en")
    assert result.exit_code == 0
    second = json.loads(visit_rows(ledger_path)[-1]["data"])
    assert second["house_grade"] == "D" and second["income"]["wages"] == 9000


def test_options_with_a_future_date_change_nothing(grid, ledger_path):
    before = digest(ledger_path)
    result = grid("visit", "A002", "--date", "2027-01-01", "--wages", "6000", lang="en")
    assert result.exit_code == 2 and "future" in result.output
    assert digest(ledger_path) == before


def test_unknown_household(grid):
    result = grid("visit", "NOPE", "--yes", lang="en")
    assert result.exit_code == 2 and "no household 'NOPE'" in result.output


def test_members_added_after_a_visit_count_as_residents_next_time_and_those_away_stay_away(grid, ledger_path):
    from conftest import make_id

    result = grid("visit", "A003", "--date", "2026-10-01", "--wages", "30000", "--resident", "郑八", "--resident", "郑十")
    assert result.exit_code == 0, result.output
    assert grid("member", "add", "A003", "--name", "郑十一", "--id", make_id("19800101", 19), "--relation", "配偶").exit_code == 0
    assert grid("visit", "A003", "--date", "2026-11-01", "--wages", "30000").exit_code == 0
    names = {r["id"]: r["name"] for r in rows_of(ledger_path, "SELECT id, name FROM members")}
    latest = json.loads(visit_rows(ledger_path)[-1]["data"])
    assert sorted(names[i] for i in latest["residents"]) == ["郑八", "郑十", "郑十一"]  # 郑九 still away
    assert latest["per_capita"] == 10000
