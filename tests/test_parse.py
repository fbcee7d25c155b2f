"""Reading what people type or spreadsheets hold: dates, months, yes/no, money, phones."""

import datetime as dt

import pytest

from grid_cli.errors import UsageError
from grid_cli.parse import parse_bool, parse_date, parse_money, parse_month, parse_phone

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize("value", [
    "2023-11-05", "2023/11/05", "2023.11.05", "2023年11月5日", "2023 年 11 月 05 日", "20231105", "20231105.0",
    20231105, 20231105.0, 45235, 45235.0, dt.date(2023, 11, 5), dt.datetime(2023, 11, 5, 10, 30),
    "2023-11-05 10:30", "Nov 5 2023",
])
def test_dates_in_every_form_real_files_use(value):
    assert parse_date(value, today=TODAY) == dt.date(2023, 11, 5)


@pytest.mark.parametrize("value", ["abc", "2023-13-01", "2023-02-30", "5", "2023", "11/05", "Nov 5", "1.5", "0", ""])
def test_garbage_and_incomplete_dates_are_refused_not_guessed(value):
    with pytest.raises(UsageError, match="cannot read the date"):
        parse_date(value, today=TODAY)


def test_future_dates_are_refused_unless_allowed():
    with pytest.raises(UsageError, match="in the future"):
        parse_date("2026-11-23", today=TODAY)
    assert parse_date("2026-11-22", today=TODAY) == TODAY
    assert parse_date("2027-01-01", today=TODAY, allow_future=True) == dt.date(2027, 1, 1)


def test_future_check_follows_grid_today(monkeypatch):
    monkeypatch.setenv("GRID_TODAY", "2020-01-01")
    with pytest.raises(UsageError):
        parse_date("2020-01-02")
    assert parse_date("2020-01-01") == dt.date(2020, 1, 1)


@pytest.mark.parametrize("value, month", [("2026-11", "2026-11"), ("202611", "2026-11"), ("2026年3月", "2026-03"),
                                          (dt.date(2026, 3, 9), "2026-03")])
def test_months(value, month):
    assert parse_month(value) == month


@pytest.mark.parametrize("value", ["2026-13", "abc", "202600"])
def test_bad_months(value):
    with pytest.raises(UsageError):
        parse_month(value)


@pytest.mark.parametrize("value, expected", [("是", True), ("否", False), (" 是 ", True), ("有", True), ("无", False),
                                             ("Y", True), ("no", False), (1, True), (0, False), (1.0, True),
                                             ("1.0", True), (True, True), ("√", True), ("×", False)])
def test_yes_no(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["也许", "2", "", "是的吧"])
def test_yes_no_garbage(value):
    with pytest.raises(UsageError, match="yes/no"):
        parse_bool(value)


@pytest.mark.parametrize("value, expected", [("6,240", 6240), ("6240元", 6240), (6240.4, 6240), ("７６００", 7600),
                                             (0, 0), ("1e3", 1000)])
def test_money(value, expected):
    assert parse_money(value) == expected


@pytest.mark.parametrize("value, why", [("-5", "negative"), (-1, "negative"), ("abc", "not a number"),
                                        ("nan", "not a number"), ("inf", "implausibly large"), (True, "amount"),
                                        (1e9, "implausibly large")])
def test_money_garbage(value, why):
    with pytest.raises(UsageError, match=why):
        parse_money(value)


def test_phones():
    assert parse_phone("138 1234-5678") == "13812345678"
    assert parse_phone(13812345678.0) == "13812345678"
    for bad in ("12", "phone", "1381234567890123"):
        with pytest.raises(UsageError):
            parse_phone(bad)
