"""`grid check` as people run it: counts per check (exit 1 when any), --json, a masked printable workbook with
one sheet per check, exemptions (audited, travelling up with the household: the township sees them and runs
the same checks over its whole area), settings; and the README's catalogue table drifting from the modules."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import MEMBER_HEADERS, good_rows, make_id, member_row, rows_of, write_workbook


def test_counts_json_and_a_masked_printable_workbook(run, workbook, tmp_path, ledger_path):
    assert run("import", "households", workbook()).exit_code == 0
    result = run("check", "--json")
    assert result.exit_code == 1  # something found
    report = json.loads(result.stdout)
    counts = {c["check"]: c["problems"] for c in report["checks"]}
    assert report["households"] == 3 and len(counts) >= 30
    assert counts["labour_elderly"] == 1  # 王老五, 71, 普通劳动力
    assert {c["check"]: c["national"] for c in report["checks"]}["labour_elderly"] == ["2_12_005", "2_12_017"]
    out = tmp_path / "checks.xlsx"
    assert run("check", "--out", out).exit_code == 1
    import openpyxl

    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Summary" and "labour_elderly" in book.sheetnames
    sheet = book["labour_elderly"]
    assert sheet.print_title_rows == "$2:$2" and sheet.page_setup.paperSize == 9
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    number = make_id("19550101", 31)
    assert number[:6] + "********" + number[-4:] in cells and number not in " ".join(cells)
    summary = {r[0]: r for r in book["Summary"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert summary["labour_elderly"][4] == 1
    assert run("check", "--out", tmp_path / "x.csv").exit_code == 2


def test_exemption_is_audited_and_counted_apart(run, workbook, ledger_path):
    assert run("import", "households", workbook()).exit_code == 0
    assert run("check", "exempt", "labour_elderly", "A002").exit_code == 2  # a reason is required
    assert run("check", "exempt", "labour_elderly", "A002", "--reason", "老人仍下地劳动，经村委核实").exit_code == 0
    report = json.loads(run("check", "--json", "--only", "labour_elderly").stdout)
    assert report["checks"][0]["problems"] == 0 and report["checks"][0]["exempted"] == 1
    assert ("check-exempt", "labour_elderly A002") in {(r["action"], r["detail"]) for r in
                                                       rows_of(ledger_path, "SELECT action, detail FROM audit")}
    assert run("check", "exempt", "labour_elderly", "A002", "--lift").exit_code == 0
    assert json.loads(run("check", "--json", "--only", "labour_elderly").stdout)["checks"][0]["problems"] == 1
    assert run("check", "exempt", "no_such_check", "A002", "--reason", "x").exit_code == 2


def test_settings_change_the_national_numbers_and_parameters(run, workbook):
    assert run("import", "households", workbook()).exit_code == 0
    assert run("check", "set", "labour_elderly", "national", "2_12_005").exit_code == 0
    assert run("check", "set", "labour_elderly", "age", "75").exit_code == 0
    report = json.loads(run("check", "--json", "--only", "labour_elderly").stdout)["checks"][0]
    assert report["national"] == ["2_12_005"] and report["problems"] == 0  # 王老五 is 71
    refused = run("check", "set", "labour_elderly", "age", "old")
    assert refused.exit_code == 3 and "check setting labour_elderly.age is wrong" in " ".join(refused.output.split())
    assert run("check", "set", "labour_elderly", "colour", "1").exit_code == 2


def test_a_township_runs_the_checks_over_its_area_and_sees_the_grids_exemptions(tmp_path):
    from hubkit import send_up, township

    cli = township(tmp_path)
    g2 = [member_row("B001", "赵老汉", make_id("19500101", 37), "户主")]  # 76, 普通劳动力
    for g, rows in (("G1", good_rows()), ("G2", g2)):
        book = write_workbook(tmp_path / f"{g}.xlsx", {"m": (MEMBER_HEADERS, rows)})
        assert cli[g]("import", "households", book).exit_code == 0
    assert cli["G1"]("check", "exempt", "labour_elderly", "A002", "--reason", "经核实仍能劳动").exit_code == 0
    send_up(tmp_path, cli, "G1", "G2")
    report = json.loads(cli["T1"]("check", "--json", "--rows", "--only", "labour_elderly").stdout)
    [elderly] = report["checks"]
    assert report["households"] == 4 and elderly["problems"] == 1 and elderly["exempted"] == 1
    assert [r["hh_no"] for r in elderly["rows"]] == ["B001"] and "****" in elderly["rows"][0]["id_number"]
    listed = json.loads(cli["T1"]("check", "exemptions", "--json").stdout)
    assert [(e["check"], e["hh_no"], e["grid"], e["reason"]) for e in listed] == [
        ("labour_elderly", "A002", "G1", "经核实仍能劳动")]


def test_readme_catalogue_is_generated_from_the_modules():
    """The README's table between the markers is exactly what the modules and data/checks.json say
    (regenerate it with `python -m grid_cli.checks.catalogue`)."""
    from grid_cli.checks.catalogue import markdown
    from grid_cli.checks.registry import CHECKS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    begin, end = "<!-- checks:begin -->\n", "<!-- checks:end -->"
    assert begin in readme and end in readme
    assert readme.split(begin, 1)[1].split(end, 1)[0] == markdown()
    assert len(CHECKS) >= 30
    tests = {p.stem.removeprefix("test_") for p in (Path(__file__).parent / "checks").glob("test_*.py")}
    assert set(CHECKS) <= tests, set(CHECKS) - tests  # one test file per check


def test_the_quarterly_report_has_a_data_quality_section(run, workbook, tmp_path):
    assert run("import", "households", workbook()).exit_code == 0
    assert run("check", "exempt", "labour_elderly", "A002", "--reason", "核实").exit_code == 0
    report = json.loads(run("report", "quarter", "2026Q4", "--json").stdout)
    section = report["data_quality"]
    assert section["checks_run"] >= 30 and section["exempted"] == 1
    assert section["problems"] == sum(c["problems"] for c in section["checks"]) > 0
    out = tmp_path / "q.xlsx"
    assert run("report", "quarter", "2026Q4", "--out", out).exit_code == 0
    import openpyxl

    sheet = openpyxl.load_workbook(out)["Data quality"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]}
    assert rows["labour_elderly"][4:6] == (0, 1)


def test_counting_finds_what_collecting_finds(run, workbook):
    """`grid check` and the quarterly report count without making the problems; --rows makes them: the
    counts and exemptions agree check by check."""
    assert run("import", "households", workbook()).exit_code == 0
    assert run("check", "exempt", "labour_elderly", "A002", "--reason", "核实").exit_code == 0
    counted = json.loads(run("check", "--json").stdout)["checks"]
    collected = json.loads(run("check", "--json", "--rows").stdout)["checks"]
    assert [(c["check"], c["problems"], c["exempted"]) for c in counted] == \
        [(c["check"], c["problems"], c["exempted"]) for c in collected]
    assert all(len(c["rows"]) == c["problems"] for c in collected)
    assert sum(c["problems"] for c in counted) > 0 and sum(c["exempted"] for c in counted) == 1
