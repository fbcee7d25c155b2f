"""The lifecycle steps, `grid risk`, `grid due` and `grid rules` on real ledgers."""

from __future__ import annotations

import json

import pytest

from conftest import digest, rows_of


@pytest.fixture
def grid(run, workbook):
    assert run("import", "households", workbook()).exit_code == 0
    return run


def events(ledger_path, kind):
    return [json.loads(r["data"]) for r in rows_of(ledger_path, "SELECT data FROM events WHERE kind = ?", (kind,))]


def test_include_is_a_proposal_with_the_grids_own_steps(grid, ledger_path):
    result = grid("monitor", "include", "A003", "--category", "边缘易致贫户", "--risk", "因病", "--risk", "因学",
                  "--identified", "2026-09-01", "--village-review", "2026-09-03", "--notice", "2026-09-04")
    assert result.exit_code == 0, result.output
    [included] = events(ledger_path, "include")
    assert included["risks"] == ["因病", "因学"] and "county_approval" not in included
    [review] = events(ledger_path, "village_review")
    [notice] = events(ledger_path, "notice")
    assert review["case"] == notice["case"] and notice["days"] == 5  # the configured notice period
    [case] = json.loads(grid("monitor", "list", "--json").output)
    assert case["state"] == "待审核" and case["next"] == "township_review" and case["notice_end"] == "2026-09-08"
    # not monitored until the county approves it: no assistance-gap flag
    assert grid("risk", "--rule", "assistance_gap", "--json").exit_code == 0


def test_the_gap_rule_on_a_monitored_household(grid, tmp_path):
    from conftest import monitored_book

    assert grid("import", "households", monitored_book(tmp_path / "m.xlsx", {"A003": ["20260901", "因病"]})).exit_code == 0
    risk = grid("risk", "--rule", "assistance_gap", "--json")
    assert risk.exit_code == 1  # flagged
    [household] = json.loads(risk.output)["households"]
    assert {f["facts"]["missing"] for f in household["findings"]} == {"helper", "measure"}
    assert grid("monitor", "helper", "A003", "--name", "王建国", "--unit", "镇农业站").exit_code == 0
    assert grid("monitor", "measure", "A003", "--kind", "就业", "--detail", "公益岗位").exit_code == 0
    assert grid("risk", "--rule", "assistance_gap", "--json").exit_code == 0


@pytest.mark.parametrize("args,message", [
    (["--risk", "因病", "--risk", "因残", "--risk", "因学", "--risk", "缺劳动力", "--risk", "因意外事故",
      "--risk", "其他"], "1 to 5 risk types"),
    (["--risk", "因为天气"], "unknown risk type"),
    (["--risk", "因病", "--village-review", "2026-09-02", "--notice", "2026-08-01"], "before"),
    (["--risk", "因病", "--notice", "2026-09-02"], "village review"),
    (["--risk", "因病", "--identified", "2027-01-01"], "future"),
])
def test_bad_inclusions_change_nothing(grid, ledger_path, args, message):
    before = digest(ledger_path)
    base = ["monitor", "include", "A003", "--category", "边缘易致贫户"]
    if "--identified" not in args:
        base += ["--identified", "2026-09-01"]
    result = grid(*base, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert digest(ledger_path) == before


def test_small_loan_limits(grid, ledger_path):
    before = digest(ledger_path)
    too_big = grid("monitor", "measure", "A001", "--kind", "金融帮扶", "--amount", "60000", "--start", "2026-01-01",
                   "--due", "2027-01-01")
    assert too_big.exit_code == 2 and "50,000" in too_big.output
    too_long = grid("monitor", "measure", "A001", "--kind", "小额信贷", "--amount", "30000", "--start", "2026-01-01",
                    "--due", "2029-06-01")
    assert too_long.exit_code == 2 and "3 years" in too_long.output
    assert digest(ledger_path) == before
    ok = grid("monitor", "measure", "A001", "--kind", "小额信贷", "--amount", "30000", "--start", "2024-01-01",
              "--due", "2026-11-25")
    assert ok.exit_code == 0, ok.output
    risk = json.loads(grid("risk", "--rule", "small_loan_due", "--json").output)
    assert risk["households"][0]["findings"][0]["facts"]["days"] == 3


def test_elimination_never_without_working_age_labour(grid, ledger_path, tmp_path):
    from conftest import monitored_book

    grid("import", "households", monitored_book(tmp_path / "m.xlsx", {"A002": ["20260105", "缺劳动力"]}))
    before = digest(ledger_path)
    result = grid("monitor", "eliminate", "A002", "--method", "自然消除", "--month", "2026-10")  # 王老五, 71
    assert result.exit_code == 1 and "no resident of working age (16–64) able to work" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert digest(ledger_path) == before


def test_eliminated_household_with_low_income_is_flagged_for_reinclusion(grid, ledger_path, tmp_path):
    from conftest import monitored_book

    book = monitored_book(tmp_path / "m.xlsx", {"A001": ["20250105", "因病", "是", "帮扶消除", "202509"]})
    assert grid("import", "households", book).exit_code == 0
    grid("visit", "A001", "--date", "2026-11-20", "--wages", "8000")  # 4,000 per person
    result = grid("risk", "--grade", "red", "--json")
    [household] = json.loads(result.output)["households"]
    rules = [f["rule"] for f in household["findings"]]
    assert "eliminated_unstable" in rules and "income_below_threshold" in rules
    [again] = [f for f in household["findings"] if f["rule"] == "eliminated_unstable"]
    assert again["facts"]["causes"][0] == {"rule": "income_below_threshold", "per_capita": 4000, "threshold": 7600,
                                           "visit_date": "2026-11-20"}


def test_risk_filters_and_exit_codes(grid):
    grid("visit", "A001", "--date", "2026-11-20", "--wages", "8000")
    grid("visit", "A002", "--date", "2026-11-20", "--wages", "90000")
    red = json.loads(grid("risk", "--grade", "red", "--json").output)["households"]
    assert [h["hh_no"] for h in red] == ["A001"]
    assert grid("risk", "--village", "下寨").exit_code == 0  # nobody there
    assert grid("risk", "--grade", "purple").exit_code == 2
    assert grid("risk", "--rule", "no_such_rule").exit_code == 2


def test_due_lists_unvisited_households(grid):
    grid("visit", "A001", "--date", "2026-11-20", "--wages", "30000")
    due = json.loads(grid("due", "--json").output)
    assert {d["hh_no"] for d in due} == {"A002", "A003"}
    soon = json.loads(grid("due", "--within", "40", "--json").output)
    assert {d["hh_no"] for d in soon} == {"A001", "A002", "A003"}


def test_rules_set_reevaluates_and_refuses_bad_values(grid, ledger_path):
    grid("visit", "A001", "--date", "2026-11-20", "--wages", "16000")  # 8,000 per person
    assert json.loads(grid("risk", "--rule", "income_below_threshold", "--json").output)["households"] == []
    result = grid("rules", "set", "threshold", "8500")
    assert result.exit_code == 0 and "Re-evaluated" in result.output
    flagged = json.loads(grid("risk", "--rule", "income_below_threshold", "--json").output)["households"]
    assert [h["hh_no"] for h in flagged] == ["A001"]
    before = digest(ledger_path)
    for args in (["income_fall.share", "2"], ["income_fall.colour", "1"], ["nope.x", "1"], ["threshold", "-3"]):
        bad = grid("rules", "set", *args)
        assert bad.exit_code == 2 and "Traceback" not in bad.output, args
    assert digest(ledger_path) == before
    shown = json.loads(grid("rules", "show", "--json").output)
    assert shown["threshold"] == 8500 and shown["rules"]["income_fall"]["share"] == 0.3
    assert grid("rules", "set", "income_fall.share", "0.2").exit_code == 0
    assert json.loads(grid("rules", "show", "--json").output)["rules"]["income_fall"]["share"] == 0.2


def test_rules_explain_and_check(grid):
    explained = grid("rules", "explain", "water")
    assert explained.exit_code == 0 and "35" in explained.output and "Fail" in explained.output
    assert grid("rules", "explain", "nope").exit_code == 2
    checked = grid("rules", "check", "--json")
    assert checked.exit_code == 0 and json.loads(checked.output)["rule_errors"] == []


def test_household_show_has_findings_and_a_timeline_and_measures_end_by_the_shown_id(grid, ledger_path):
    grid("monitor", "measure", "A001", "--kind", "小额信贷", "--amount", "20000", "--start", "2025-01-01",
         "--due", "2026-11-24")
    grid("visit", "A001", "--date", "2026-11-20", "--wages", "8000", "--house-grade", "C")
    shown = json.loads(grid("household", "show", "A001", "--json").output)
    assert shown["grade"] == "red"
    assert {f["rule"] for f in shown["findings"]} >= {"income_below_threshold", "housing", "small_loan_due"}
    assert [e["kind"] for e in shown["timeline"]] == ["visit", "measure"]
    text = grid("household", "show", "A001", lang="zh").output
    assert "小额信贷 20,000 元 将于 2026-11-24 到期" in text and "住房 C 级" in text
    measure_id = shown["monitoring"]["measures"][0]["id"]
    assert measure_id[-8:] in text
    assert grid("monitor", "end", "A001", measure_id[-8:], "--on", "2026-11-21").exit_code == 0
    after = json.loads(grid("household", "show", "A001", "--json").output)
    assert after["monitoring"]["measures"] == [] and "small_loan_due" not in {f["rule"] for f in after["findings"]}


def test_import_adopts_the_monitoring_columns_once(run, tmp_path, ledger_path):
    from conftest import MEMBER_HEADERS, good_rows, write_workbook

    headers = MEMBER_HEADERS + ["识别监测时间", "致贫/返贫风险1", "致贫/返贫风险2", "风险是否已消除", "风险消除方式", "消除监测时间"]
    rows = [r + ["", "", "", "", "", ""] for r in good_rows()]
    for r in rows:
        if r[2] == "A003":
            r[-6:] = ["202603", "因病", "因学", "", "", ""]
        if r[2] == "A001":
            r[-6:] = ["20240105", "因残", "", "是", "帮扶消除", "202509"]
    book = write_workbook(tmp_path / "m.xlsx", {"成员": (headers, rows)})
    refused = run("import", "households", book)  # A001: 识别监测时间 but no 监测对象类别, never a default
    assert refused.exit_code == 1 and "监测对象类别" in refused.output
    for r in rows:
        if r[2] == "A001":
            r[14] = "脱贫不稳定户"
    book = write_workbook(tmp_path / "m.xlsx", {"成员": (headers, rows)})
    assert run("import", "households", book).exit_code == 0
    steps = rows_of(ledger_path, "SELECT h.hh_no, e.kind, e.date, e.data FROM events e JOIN households h "
                                 "ON h.id = e.household_id ORDER BY h.hh_no, e.date")
    assert [(s["hh_no"], s["kind"], s["date"]) for s in steps] == [
        ("A001", "include", "2024-01-05"), ("A001", "eliminate", "2025-09-01"), ("A003", "include", "2026-03-01")]
    assert json.loads(steps[2]["data"])["risks"] == ["因病", "因学"]
    before = digest(ledger_path)
    again = run("import", "households", book, "--json")
    assert json.loads(again.output)["households_updated"] == 0
    assert digest(ledger_path) == before


def test_import_reports_a_bad_monitoring_cell(run, tmp_path, ledger_path):
    from conftest import MEMBER_HEADERS, good_rows, write_workbook

    rows = [r + ["2026-13-45"] for r in good_rows()]
    book = write_workbook(tmp_path / "m.xlsx", {"成员": (MEMBER_HEADERS + ["识别监测时间"], rows)})
    before = digest(ledger_path)
    result = run("import", "households", book)
    assert result.exit_code == 1 and "识别监测时间" in result.output
    assert digest(ledger_path) == before


def test_assessing_a_past_day_ignores_what_came_after(grid, ledger_path):
    import datetime as dt

    from grid_cli.findings import assess
    from grid_cli.ledger import Ledger

    grid("visit", "A001", "--date", "2026-10-01", "--wages", "8000")  # 4,000 per person
    grid("visit", "A001", "--date", "2026-11-20", "--wages", "40000")
    ledger = Ledger.open(ledger_path)
    try:
        then = assess(ledger, on=dt.date(2026, 10, 15))
        now = assess(ledger, on=dt.date(2026, 11, 22))
    finally:
        ledger.close()
    rules_then = {f.rule for f in then.findings if f.hh_no == "A001"}
    rules_now = {f.rule for f in now.findings if f.hh_no == "A001"}
    assert "income_below_threshold" in rules_then and "income_below_threshold" not in rules_now


def test_a_followup_visit_is_only_for_an_eliminated_household(grid, ledger_path, tmp_path):
    from conftest import monitored_book

    before = digest(ledger_path)
    refused = grid("visit", "A002", "--date", "2026-11-20", "--wages", "30000", "--followup")
    assert refused.exit_code == 2 and "whose risk was eliminated" in refused.output
    assert digest(ledger_path) == before
    book = monitored_book(tmp_path / "m.xlsx", {"A001": ["20250105", "因病", "是", "帮扶消除", "202506"]})
    assert grid("import", "households", book).exit_code == 0
    assert grid("visit", "A001", "--date", "2026-11-20", "--wages", "30000", "--followup").exit_code == 0
    [visit] = events(ledger_path, "visit")
    assert visit["followup"] is True
    shown = json.loads(grid("household", "show", "A001", "--json").output)
    assert shown["monitoring"]["state"] == "风险已消除"
    assert shown["timeline"][0]["text"].startswith("follow-up visit")


def test_due_finds_shorter_intervals_by_category_and_the_must_visit_groups(grid, tmp_path):
    from conftest import monitored_book

    assert grid("import", "households", monitored_book(tmp_path / "m.xlsx", {"A003": ["20260105", "因病"]})).exit_code == 0
    grid("visit", "A001", "--date", "2026-10-01", "--wages", "1000")  # 脱贫户 at 500 per person: 八必访
    grid("visit", "A002", "--date", "2026-10-01", "--wages", "90000")  # 一般农户, well off
    grid("visit", "A003", "--date", "2026-11-01", "--wages", "90000")  # monitored 边缘易致贫户
    assert grid("rules", "set", "visit_overdue.days_by_type", '{"脱贫户": 92, "一般农户": 92}').exit_code == 0
    due = {d["hh_no"]: d for d in json.loads(grid("due", "--json").output)}
    assert set(due) == {"A001"} and due["A001"]["facts"]["interval"] == 31 and due["A001"]["severity"] == "high"
    assert grid("rules", "set", "visit_overdue.days_by_category", '{"边缘易致贫户": 15}').exit_code == 0
    due = {d["hh_no"]: d["facts"]["interval"] for d in json.loads(grid("due", "--json").output)}
    assert due == {"A001": 31, "A003": 15}  # 21 days since A003's visit, more than its category's 15
