"""Values the commands refuse (a folder for a file, endless months of work, an unreadable or future revocation
time, steps out of order, rule parameters out of bounds, path characters in a code, an ID number echoed
back): each is one line, a documented exit code, and no change to the ledger."""

from __future__ import annotations

import json

import pytest

from conftest import INIT_ARGS, Run, digest, make_id


@pytest.fixture
def grid(run, workbook):
    assert run("import", "households", workbook()).exit_code == 0
    return run


def test_a_folder_where_a_file_belongs_is_one_line_exit_3(grid, ledger_path, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    before = digest(ledger_path)
    for args in (["visit", "A001", "--from-file", folder], ["sync", "inspect", folder], ["enroll", folder]):
        result = grid(*args)
        assert result.exit_code in (2, 3), (args, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output, args
    assert digest(ledger_path) == before


def test_infinite_months_of_work_is_a_usage_error(grid, ledger_path):
    before = digest(ledger_path)
    result = grid("member", "edit", make_id("19700305", 11), "--set", "务工时间（月）=inf")
    assert result.exit_code == 2 and "0-12" in result.output
    assert digest(ledger_path) == before


def test_revocation_time_must_be_readable_and_past(tmp_path):
    path = tmp_path / "t.db"
    run = Run(path)
    assert run("init", "--level", "township", "--township", "T1", "--county", "C", "--grids", "G1").exit_code == 0
    for at, words in (("abc", "cannot read the time"), ("2099-01-01", "future")):
        result = run("trust", "revoke", "G1", "--at", at)
        assert result.exit_code == 2 and words in result.output, result.output


def test_elimination_cannot_precede_inclusion(grid, ledger_path, tmp_path):
    from conftest import monitored_book

    assert grid("import", "households", monitored_book(tmp_path / "m.xlsx", {"A001": ["20260305", "因病"]})).exit_code == 0
    before = digest(ledger_path)
    result = grid("monitor", "eliminate", "A001", "--method", "帮扶消除", "--month", "2025-12")
    assert result.exit_code == 2 and "before the identification date" in result.output
    assert digest(ledger_path) == before


def test_visits_before_the_monitoring_began_are_refused(grid, ledger_path):
    before = digest(ledger_path)
    result = grid("visit", "A001", "--date", "1900-01-01", "--wages", "100")
    assert result.exit_code == 2 and "2020-01-01" in result.output
    assert digest(ledger_path) == before


@pytest.mark.parametrize("key,value", [("water.litres", "99999999999"), ("visit_overdue.days", "99999"),
                                       ("education.min_age", "20")])
def test_rule_parameters_have_bounds(grid, ledger_path, key, value):
    before = digest(ledger_path)
    result = grid("rules", "set", key, value)
    assert result.exit_code == 2, result.output
    assert digest(ledger_path) == before


def test_rules_year_out_of_range(grid):
    assert grid("rules", "set", "threshold", "7600", "--year", "1").exit_code == 2


def test_a_county_file_threshold_must_be_a_number(tmp_path):
    rules = tmp_path / "c.json"
    rules.write_text(json.dumps({"year": 2026, "threshold": True}), encoding="utf-8")
    result = Run(tmp_path / "g.db")(*INIT_ARGS, "--config", rules)
    assert result.exit_code == 3 and not (tmp_path / "g.db").exists()


def test_grid_codes_cannot_hold_path_characters(tmp_path):
    args = [a if a != "G1" else "a/b" for a in INIT_ARGS]
    result = Run(tmp_path / "g.db")(*args, "--threshold", "7600")
    assert result.exit_code == 2 and not (tmp_path / "g.db").exists()


def test_messages_mask_id_numbers_the_user_typed(grid):
    number = make_id("19700305", 11)
    result = grid("visit", "A002", "--resident", number, "--wages", "1")
    assert result.exit_code == 2 and number not in result.output and number[:6] in result.output
    unknown = make_id("19990101", 13)
    result = grid("member", "edit", unknown, "--set", "健康状况=健康")
    assert result.exit_code == 2 and unknown not in result.output
