"""The township's path (issue 12) and a hub visit (issue 11, item 7): a township made without a threshold
runs `risk` (every rule that needs no threshold, and a warning naming the ones that wait) and
`rules set threshold`; a command that saved something exits 0 and warns about what it could not do."""

from __future__ import annotations

import json
import os
import stat

import pytest

from conftest import Run, count

GRID = ["init", "--grid", "G1", "--village", "青石村", "--township", "桃溪镇", "--county", "云岭县", "--monitor", "李秀兰",
        "--phone", "13908761234", "--threshold", "7600"]


@pytest.fixture
def township(tmp_path):
    """桃溪镇 (no threshold: the county has not sent its rules) holding grid G1's households, merged from
    G1's bundle. G1 has a household with a visit under the threshold and a member without insurance."""
    t, g = tmp_path / "桃溪镇.db", tmp_path / "G1.db"
    assert Run(t)("init", "--level", "township", "--township", "桃溪镇", "--county", "云岭县", "--grids", "G1").exit_code == 0
    assert Run(g)(*GRID).exit_code == 0
    from grid_cli.ledger import Ledger
    from sealing import enrol

    parent, child = Ledger.open(t), Ledger.open(g)
    enrol(parent, child)
    parent.close(), child.close()
    grid = Run(g)
    assert grid("household", "add", "--hh-no", "H1", "--head", "张大山").exit_code == 0
    assert grid("member", "add", "H1", "--name", "李小花", "--relation", "配偶").exit_code == 0
    result = grid("visit", "H1", "--date", "2026-11-01", "--wages", "5000", "--insured", "李小花=否")
    assert result.exit_code == 0, result.output
    assert grid("sync", "export", "--out", tmp_path / "up.zip").exit_code == 0
    result = Run(t)("sync", "merge", tmp_path / "up.zip")
    assert result.exit_code == 0, result.output
    return Run(t), t


def test_a_township_without_a_threshold_runs_risk_and_says_what_waited(township):
    run, path = township
    result = run("risk", lang="zh")
    assert result.exit_code == 1, result.output  # flagged: the uninsured member
    assert "2026年尚无监测标准" in result.output and "基本医疗保障" in result.output  # a hub's summary, by rule
    assert "收入低于监测标准" not in result.output  # the income rule did not run
    assert "2026年还没有监测标准，收入类规则" in result.stderr and "grid rules set threshold 7600" in result.stderr
    listed = run("risk", "--list", lang="zh")
    assert listed.exit_code == 1 and "李小花" in listed.stdout and "监测标准 7,600" not in listed.stdout
    assert "2026年还没有监测标准" in listed.stderr
    due = run("due", "--list", "--within", "60")  # due needs no threshold: H1, visited 2026-11-01
    assert due.exit_code == 0 and "H1" in due.stdout, due.output
    as_json = json.loads(run("risk", "--json").stdout)
    rules = {f["rule"] for f in as_json["households"][0]["findings"]}
    assert as_json["threshold"] is None and "medical" in rules and "income_below_threshold" not in rules


def test_a_township_sets_the_threshold_and_the_income_rules_run(township):
    run, path = township
    result = run("rules", "set", "threshold", "7600", lang="zh")
    assert result.exit_code == 0, result.output
    assert "2026年 监测标准 = 7600" in result.output and "重新评估：红 1 户" in result.output
    result = run("risk", "--json", lang="zh")
    assert result.exit_code == 1 and "还没有监测标准" not in result.stderr
    [household] = json.loads(result.stdout)["households"]
    assert {"income_below_threshold", "medical"} <= {f["rule"] for f in household["findings"]}
    shown = run("rules", "show", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["threshold"] == 7600


def test_rules_show_and_explain_work_before_the_threshold(township):
    run, _ = township
    assert json.loads(run("rules", "show", "--json").stdout)["threshold"] is None
    assert run("rules", "explain", "medical").exit_code == 0


def test_a_visit_at_a_township_without_rules_is_saved_once_and_exits_0(township):
    """Issue 11 item 7: it was saved and then exited 3, so a script that retried recorded it twice."""
    run, path = township
    before = count(path, "event_index")
    result = run("visit", "H1", "--date", "2026-11-20", "--wages", "6000", lang="zh")
    assert result.exit_code == 0, result.output
    assert "已保存走访 2026-11-20（人均纯收入 3,000 元）" in result.stdout
    assert "2026年还没有监测标准" in result.stderr  # what it could not judge, as a warning
    assert count(path, "event_index") == before + 1


def test_a_failure_after_the_save_is_a_warning_not_an_exit_code(township, monkeypatch):
    """Whatever fails once the visit is saved (here the assessment, broken on purpose) is a warning."""
    run, path = township
    from grid_cli import findings
    from grid_cli.errors import DataError

    def broken(*args, **kwargs):
        raise DataError("规则设置已损坏", "the rule settings are damaged")

    monkeypatch.setattr(findings, "assess", broken)
    before = count(path, "event_index")
    result = run("visit", "H1", "--date", "2026-11-21", "--wages", "6000")
    assert result.exit_code == 0, result.output
    assert "Visit of 2026-11-21 saved" in result.stdout
    assert "warning: the rule settings are damaged" in result.stderr
    assert count(path, "event_index") == before + 1


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_every_ledger_grid_init_makes_is_owner_only(township, tmp_path):
    county = tmp_path / "云岭县.db"
    assert Run(county)("init", "--level", "county", "--county", "云岭县", "--townships", "桃溪镇",
                       "--threshold", "7600").exit_code == 0
    for path in (tmp_path / "桃溪镇.db", tmp_path / "G1.db", county):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
