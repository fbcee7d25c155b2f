"""`grid export --redact`: no names, ID numbers or phones; stable pseudonyms per ledger."""

from __future__ import annotations

import json

from conftest import make_id


def test_redacted_export_has_pseudonyms_not_identities(run, tmp_path):
    number = make_id("19700305", 11)
    assert run("household", "add", "--hh-no", "A001", "--head", "张大山", "--head-id", number, "--phone", "13912345678").exit_code == 0
    assert run("member", "add", "A001", "--name", "李小花", "--id", make_id("19720811", 22), "--relation", "配偶").exit_code == 0
    first, second = tmp_path / "r1.json", tmp_path / "r2.json"
    for out in (first, second):
        result = run("export", "--redact", "--out", out)
        assert result.exit_code == 0, result.output
    text = first.read_text(encoding="utf-8")
    for secret in ("张大山", "李小花", number, "13912345678", "A001"):
        assert secret not in text
    tables = json.loads(text)["tables"]
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")  # stable pseudonyms
    members = [dict(zip(tables["members"]["header"], row)) for row in tables["members"]["rows"]]
    households = [dict(zip(tables["households"]["header"], row)) for row in tables["households"]["rows"]]
    assert len(members) == 2 and {m["户代号"] for m in members} == {households[0]["户代号"]}
    assert all(m["人员代号"].startswith("P-") for m in members) and households[0]["家庭人口数"] == 2
    assert sorted(m["出生年份"] for m in members) == [1970, 1972]  # the year, never the date
    assert "19700305" not in text


def test_export_without_redact_is_a_usage_error(run, tmp_path):
    result = run("export", "--out", tmp_path / "x.json")
    assert result.exit_code == 2 and "--redact" in result.output


def test_redacted_csv_and_xlsx(run, tmp_path):
    run("household", "add", "--hh-no", "A001", "--head", "张大山")
    assert run("export", "--redact", "--out", tmp_path / "r.csv").exit_code == 0
    assert run("export", "--redact", "--out", tmp_path / "r.xlsx").exit_code == 0
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    assert "张大山" not in "".join(p.read_text(encoding="utf-8-sig") for p in tmp_path.glob("r*.csv"))
