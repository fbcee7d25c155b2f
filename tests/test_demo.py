"""`grid demo --dir`: the sample grid, built the way a monitor would start, repeatably."""

import json
import re

from conftest import Run, count, rows_of


def test_demo_builds_the_sample_ledger(tmp_path):
    folder = tmp_path / "demo"
    result = Run(None)("demo", "--dir", folder, lang="zh")
    assert result.exit_code == 0, result.output
    ledger = folder / "demo.db"
    assert count(ledger, "households") == 60
    members = count(ledger, "members")
    assert 180 <= members <= 230
    assert f"导入 60 户、{members} 人" in result.output
    assert "…" not in result.output
    assert all(len(line) <= 80 for line in result.output.splitlines())
    ids = [r["id_number"] for r in rows_of(ledger, "SELECT id_number FROM members")]
    assert not any(number in result.output for number in ids)  # masked
    assert any(len(number) == 20 for number in ids)  # the disability-certificate case is there
    assert "记录走访 420 次" in result.output
    assert re.search(r"风险等级：红 \d+ +黄 \d+ +绿 \d+", result.output)
    assert "监测标准 7,600" in result.output and "义务教育阶段失学辍学" in result.output  # red ones, with reasons
    assert (folder / "ledger-2026-11.xlsx").is_file() and (folder / "report-2026Q4.xlsx").is_file()
    hh_no = re.search(r"household show (\d+)", " ".join(result.output.split())).group(1)
    shown = Run(ledger)("household", "show", hh_no, "--json", ledger=ledger)
    assert json.loads(shown.stdout)["hh_no"] == hh_no and json.loads(shown.stdout)["grade"] == "red"


def test_demo_is_repeatable_and_touches_only_its_files(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert Run(None)("demo", "--dir", folder).exit_code == 0
    first = rows_of(folder / "demo.db", "SELECT hh_no, hh_type, category, flags FROM households ORDER BY hh_no")
    result = Run(None)("demo", "--dir", folder)
    assert result.exit_code == 0, result.output
    assert "Imported 60 households" in result.output
    again = rows_of(folder / "demo.db", "SELECT hh_no, hh_type, category, flags FROM households ORDER BY hh_no")
    assert again == first and len(again) == 60
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_demo_ledger_is_a_working_ledger(tmp_path):
    folder = tmp_path / "demo"
    assert Run(None)("demo", "--dir", folder).exit_code == 0
    run = Run(folder / "demo.db")
    info = json.loads(run("info", "--json").stdout)
    assert info["households"] == 60 and info["threshold"] == 7600 and info["grid"] == "GZ-TX-03"
    listed = json.loads(run("household", "list", "--json").stdout)
    assert len(listed) == 60 and all("****" in r["phone"] for r in listed)
    categories = {r["category"] for r in listed}
    assert {"脱贫不稳定户", "边缘易致贫户", "突发严重困难户"} <= categories
