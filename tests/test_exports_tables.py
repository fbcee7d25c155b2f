"""The neutral tables the exports build (DESIGN: test the table, and the file once)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from grid_cli import lifecycle, visits
from grid_cli.errors import UsageError
from grid_cli.exports.files import format_for
from grid_cli.exports.monthly import HOUSEHOLD_COLUMNS, build_monthly
from grid_cli.exports.notice import build_notice
from grid_cli.exports.quarter import build_quarter, parse_quarter, parse_share, quarter_book, set_setting
from grid_cli.exports.table import Table
from grid_cli.i18n import set_lang
from test_exports_support import ID_RE, PHONE_RE, open_ledger

OFFICIAL = ["户编号", "户主姓名", "证件号码", "家庭人口数", "联系电话", "自然村", "户类型", "监测对象类别", "识别监测时间",
            "致贫/返贫风险1", "致贫/返贫风险2", "致贫/返贫风险3", "致贫/返贫风险4", "致贫/返贫风险5", "人均纯收入（元）",
            "合规自付支出", "危房等级", "实施开发式帮扶措施情况", "风险是否已消除", "风险消除方式", "消除监测时间", "劳动技能",
            "在校生状况"]


@pytest.fixture
def ledger(demo_db):
    set_lang("zh")
    ledger = open_ledger(demo_db)
    yield ledger
    ledger.close()


def test_household_table_has_the_official_columns_in_order_and_one_row_per_household(ledger):
    result = build_monthly(ledger, "2026-11")
    table = result.book.table("households")
    assert [h for h in table.header if h in OFFICIAL] == OFFICIAL
    for extra in ("本月走访日期", "风险提示及原因", "风险等级", "帮扶责任人", "帮扶措施"):
        assert extra in table.header
    active = ledger.query("SELECT count(*) AS n FROM households WHERE status = '正常'")[0]["n"]
    assert len(table.rows) == active == result.households == 60
    members = result.book.table("members")
    assert len(members.rows) == result.members == ledger.query(
        "SELECT count(*) AS n FROM members WHERE status = '正常'")[0]["n"]


def test_ids_and_phones_are_masked_by_default_and_full_when_unmasked(ledger):
    masked = build_monthly(ledger, "2026-11")
    text = json.dumps([t.rows for t in masked.book.tables()], ensure_ascii=False)
    assert not re.search(ID_RE, text) and not re.search(PHONE_RE, text)
    record = masked.book.table("households").records()[0]
    assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", record["证件号码"])
    assert re.fullmatch(r"1\d{2}\*{4}\d{4}", record["联系电话"])
    full = build_monthly(ledger, "2026-11", unmasked=True).book.table("households").records()[0]
    assert re.fullmatch(ID_RE, full["证件号码"]) and full["证件号码"][:6] + "*" * 8 + full["证件号码"][-4:] == record["证件号码"]


def test_a_monitored_household_row_carries_its_lifecycle_findings_and_grade(ledger):
    rows = {r["户编号"]: r for r in build_monthly(ledger, "2026-11").book.table("households").records()}
    row = rows["52999903010004"]  # included 250 days ago for 因学 + 失学辍学, a helper, no measure, income below
    assert row["监测对象类别"] == "脱贫不稳定户"
    assert row["识别监测时间"] == "202603"
    assert (row["致贫/返贫风险1"], row["致贫/返贫风险2"]) == ("因学", "义务教育阶段适龄儿童少年失学辍学")
    assert row["风险是否已消除"] == "否" and row["实施开发式帮扶措施情况"] == "否"
    assert row["风险等级"] == "红" and "监测标准" in row["风险提示及原因"]
    assert "王建国" in row["帮扶责任人"]
    assert row["本月走访日期"] == "11-02"
    eliminated = rows["52999903010018"]
    assert eliminated["风险是否已消除"] == "是" and eliminated["风险消除方式"] and eliminated["消除监测时间"]


def test_a_past_month_ignores_later_visits_and_steps(ledger):
    october = {r["户编号"]: r for r in build_monthly(ledger, "2026-10").book.table("households").records()}
    november = {r["户编号"]: r for r in build_monthly(ledger, "2026-11").book.table("households").records()}
    assert november["52999903010004"]["本月走访日期"] == "11-02"
    assert october["52999903010004"]["本月走访日期"] == "10-03"
    # the household eliminated 60 days before 2026-11-22 (in September) was still monitored in August
    august = {r["户编号"]: r for r in build_monthly(ledger, "2026-08").book.table("households").records()}
    assert august["52999903010018"]["风险是否已消除"] == "否"
    assert october["52999903010018"]["风险是否已消除"] == "是"


def test_summary_counts_add_up(ledger):
    book = build_monthly(ledger, "2026-11").book
    overview = dict(book.table("overview").rows)
    assert overview["在册农户（户）"] == 60
    assert sum(r[1] for r in book.table("by_type").rows) == 60
    assert overview["风险等级 红（户）"] + overview["风险等级 黄（户）"] + overview["风险等级 绿（户）"] == 60
    assert sum(r[4] for r in book.table("by_village").rows) == 60
    assert book.table("by_risk").chart is not None


def test_bad_months_are_usage_errors(ledger):
    for month in ("2026-13", "next month", "2027-01", "0000-01", "9999-12"):  # the last two overflowed dates
        with pytest.raises(UsageError):
            build_monthly(ledger, month)


def test_village_and_grid_filters(hub_db):
    set_lang("zh")
    ledger = open_ledger(hub_db)
    try:
        hub = build_monthly(ledger, "2026-11")
        assert "网格" in hub.book.table("households").header and "网格" in hub.book.table("members").header
        only = build_monthly(ledger, "2026-11", grid="TX-01")
        assert only.households == 30
        assert {r["自然村"] for r in only.book.table("households").records()} == {"上寨", "下寨"}
        assert build_monthly(ledger, "2026-11", village="河湾").households == 15
        with pytest.raises(UsageError, match="河湾|上寨"):
            build_monthly(ledger, "2026-11", village="没有这个村")
    finally:
        ledger.close()


def test_notice_never_carries_ids_phones_or_health(ledger):
    lifecycle.include(ledger, "52999903010008", category="边缘易致贫户", risks=["因病", "饮水出现安全问题"],
                      identified="2026-11-20", village_review="2026-11-20", notice="2026-11-21")
    notice = build_notice(ledger, "include", month="2026-11")
    table = notice.book.table("notice")
    assert notice.households == 1 and table.records()[0]["户主姓名"] == "胡豪"
    assert (notice.start, notice.end) == (dt.date(2026, 11, 21), dt.date(2026, 11, 25))
    text = json.dumps([table.header, table.rows, notice.book.lines, notice.book.page_header], ensure_ascii=False)
    for forbidden in ("证件号码", "联系电话", "健康状况", "因病", "银行", "*"):
        assert forbidden not in text
    assert not re.search(ID_RE, text) and not re.search(PHONE_RE, text) and not re.search(r"\d{6}\*", text)


def test_notice_lists_only_cases_through_the_village_review(ledger):
    lifecycle.include(ledger, "52999903010008", category="边缘易致贫户", risks=["因病"], identified="2026-11-20")
    with pytest.raises(UsageError, match="village review|民主评议"):
        build_notice(ledger, "include", month="2026-11")  # proposed, not yet reviewed by the village
    with pytest.raises(UsageError, match="village review|民主评议"):
        build_notice(ledger, "include", households=["52999903010008"])
    lifecycle.record_village_review(ledger, "52999903010008", on="2026-11-21")
    lifecycle.include(ledger, "52999903010012", category="边缘易致贫户", risks=["因病"], identified="2026-11-20")
    notice = build_notice(ledger, "include", month="2026-11", start="2026-11-22")
    assert notice.households == 1 and notice.book.table("notice").records()[0]["户主姓名"] == "胡豪"
    assert "经农户申请、干部走访排查或部门筛查预警，并经村级民主评议" in notice.book.lines[0]


def test_notice_rules(ledger):
    lifecycle.include(ledger, "52999903010008", category="边缘易致贫户", risks=["因病"], identified="2026-11-20",
                      village_review="2026-11-21")
    with pytest.raises(UsageError, match="5"):
        build_notice(ledger, "include", households=["52999903010008"], days=3)
    with pytest.raises(UsageError):
        build_notice(ledger, "include", month="2026-10")  # nobody reviewed in October
    with pytest.raises(UsageError):
        build_notice(ledger, "other")
    with pytest.raises(UsageError, match="village review|民主评议"):  # an imported elimination: no case to post
        build_notice(ledger, "eliminate", households=["52999903010018"])
    named = build_notice(ledger, "include", households=["52999903010008"], start="2026-11-25", days=7)
    assert named.end == dt.date(2026, 12, 1) and "（7天）" in named.book.lines[0]
    assert build_notice(ledger, "include", households=["52999903010008"]).end == dt.date(2026, 11, 26)  # today + 5 − 1


def test_quarter_names():
    assert parse_quarter("2026Q4")[0] == "2026Q4"
    assert parse_quarter("2026-q1")[1:3] == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert parse_quarter("2026年第二季度")[3] == ["2026-04", "2026-05", "2026-06"]
    for bad in ("2026Q5", "0000Q1", "9999Q4"):  # the last two overflowed dates (internal error)
        with pytest.raises(UsageError):
            parse_quarter(bad)
    assert parse_share("6.6%", "x") == 0.066 and parse_share("0.058", "x") == 0.058 and parse_share("7", "x") == 0.07


def test_quarter_report_counts(ledger):
    report = build_quarter(ledger, "2026Q3")
    assert report["months"] == ["2026-07", "2026-08", "2026-09"] and len(report["trend"]) == 3
    assert report["totals"]["eliminated"] == 1  # 52999903010018, eliminated in September
    assert report["changes"]["eliminated_by_method"] == {"帮扶消除": 1}
    assert sum(r["households"] for r in report["by_village"]) == 60
    assert "by_grid" not in report and report["flags"]["applies"] is False
    current = build_quarter(ledger, "2026Q4")
    assert [m["month"] for m in current["trend"]] == ["2026-10", "2026-11"]  # December has not started
    assert current["overdue"]["households"] == len(current["overdue"]["list"]) == current["trend"][-1]["overdue"]
    assert current["settings"]["rural_growth"] == {"value": 0.066, "source": "default"}
    with pytest.raises(UsageError):
        build_quarter(ledger, "2027Q1")


def test_income_growth_of_tuopin_households_against_the_configured_rural_figure(ledger):
    # the sample has no visits a year back: add some (per-capita 5,000 last year) to two 脱贫户
    heads = [r["hh_no"] for r in ledger.query("SELECT hh_no FROM households WHERE hh_type = '脱贫户' ORDER BY hh_no LIMIT 2")]
    for hh in heads:
        now = visits.previous(ledger, open_household_id(ledger, hh))
        visits.record(ledger, hh, {"date": "2025-11-10", "visitor": "李秀兰",
                                   "income": {"wages": 5000 * len(now["residents"])}})
    report = build_quarter(ledger, "2026Q4")
    income = report["income"]
    assert income["households_compared"] == 2 and income["per_capita_last_year"] == 5000
    assert income["growth"] == round(income["per_capita_now"] / 5000 - 1, 4)
    assert income["outgrew"] is (income["growth"] > 0.066)
    set_setting(ledger, "rural_growth", "99%", 2026)
    again = build_quarter(ledger, "2026Q4")
    assert again["settings"]["rural_growth"] == {"value": 0.99, "source": "config 2026"}
    assert again["income"]["rural_growth"] == 0.99
    assert build_quarter(ledger, "2026Q4", rural_growth=0.01)["settings"]["rural_growth"]["source"] == "option"


def open_household_id(ledger, hh_no: str) -> str:
    return ledger.query("SELECT id FROM households WHERE hh_no = ?", (hh_no,))[0]["id"]


def test_hub_marks_villages_over_the_warning_line(hub_db):
    set_lang("zh")
    ledger = open_ledger(hub_db)
    try:
        report = build_quarter(ledger, "2026Q4", warning_share=0.5)
        assert report["flags"]["applies"] is True
        shares = {r["name"]: r["flagged_share"] for r in report["by_village"]}
        assert set(report["flags"]["villages"]) == {v for v, s in shares.items() if s > 0.5}
        assert report["flags"]["villages"]  # 河湾: 8 of 15 flagged
        assert {r["name"] for r in report["by_grid"]} == {"TX-01", "TX-02"}
        assert "by_township" not in report  # a township hub
        book = quarter_book(report)
        assert "挂牌预警" in book.table("by_village").header and "挂牌预警" in book.table("by_grid").header
        set_setting(ledger, "warning_share", "10%", 2026)
        assert len(build_quarter(ledger, "2026Q4")["flags"]["villages"]) == 4
    finally:
        ledger.close()


def test_format_choice():
    from pathlib import Path

    assert format_for(None, None) == "xlsx"
    assert format_for(Path("a.csv"), None) == "csv"
    assert format_for(Path("a"), "json") == "json"
    with pytest.raises(UsageError):
        format_for(Path("a.xlsx"), "csv")
    with pytest.raises(UsageError):
        format_for(Path("a.pdf"), None)
    with pytest.raises(UsageError):
        format_for(None, "pdf")


def test_table_rows_must_match_the_header():
    with pytest.raises(ValueError):
        Table("t", "t", ["a", "b"], [[1]])
    assert len(HOUSEHOLD_COLUMNS) == 1 + len(OFFICIAL) + 6  # 序号, the official columns, the grid extras
