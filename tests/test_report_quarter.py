"""`grid report quarter`: the terminal view, `--json` (exactly what the core built), the workbook with
charts, CSV, the two settings and the hub's 挂牌预警."""

from __future__ import annotations

import csv
import json

from openpyxl import load_workbook

from conftest import Run
from test_exports_support import open_ledger, sheet_values


def test_json_is_what_the_core_produced(demo_db):
    from grid_cli.exports.quarter import build_quarter
    from grid_cli.i18n import set_lang

    result = Run(demo_db)("report", "quarter", "2026Q4", "--json")
    assert result.exit_code == 0, result.output
    set_lang("en")
    ledger = open_ledger(demo_db)
    try:
        expected = build_quarter(ledger, "2026Q4")
    finally:
        ledger.close()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected, ensure_ascii=False, default=str))
    assert {"trend", "by_village", "risk_types", "overdue", "income", "settings", "flags"} <= expected.keys()


def test_terminal_view(demo_db):
    result = Run(demo_db)("report", "quarter", "2026Q4", lang="zh")
    assert result.exit_code == 0, result.output
    for words in ("月度趋势", "上寨", "风险类型", "走访逾期", "█", "默认值"):
        assert words in result.output


def test_xlsx_with_charts_and_csv(demo_db, tmp_path):
    run = Run(demo_db)
    out = tmp_path / "q.xlsx"
    result = run("report", "quarter", "2026Q3", "--out", out, lang="zh")
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    wb = load_workbook(out)
    assert len(wb.sheetnames) == 5 and wb.sheetnames[-1] == "数据质量"  # the data-quality section (grid check)
    charts = sum(len(ws._charts) for ws in wb)
    assert charts >= 4
    first = wb.worksheets[0]
    assert first.page_setup.orientation == "landscape" and first.page_setup.paperSize == 9
    assert sheet_values(first)[0][0] == "青石村2026年第3季度防止返贫动态监测分析"
    trend = [r for r in sheet_values(first) if r[0] in ("2026-07", "2026-08", "2026-09")]
    assert len(trend) == 6  # two trend tables, three months each
    assert run("report", "quarter", "2026Q3", "--format", "csv", "--out", tmp_path / "q.csv").exit_code == 0
    with (tmp_path / "q-by_village.csv").open(encoding="utf-8-sig") as handle:
        assert len(list(csv.reader(handle))) == 5
    assert run("report", "quarter", "2026Q3", "--out", tmp_path / "q.json").exit_code == 0
    assert json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))["quarter"] == "2026Q3"


def test_settings_and_hub_warning(hub_db):
    run = Run(hub_db)
    assert run("report", "set", "rural_growth", "5.8%").exit_code == 0
    assert run("report", "set", "warning_share", "0.5").exit_code == 0
    shown = json.loads(run("report", "show", "--json").stdout)
    assert shown["rural_growth"] == {"value": 0.058, "source": "config 2026"}
    assert run("report", "set", "threshold", "1").exit_code == 2
    assert run("report", "set", "warning_share", "abc").exit_code == 2
    report = json.loads(run("report", "quarter", "2026Q4", "--json").stdout)
    assert report["settings"]["warning_share"]["value"] == 0.5 and report["flags"]["applies"]
    assert report["flags"]["villages"] == ["河湾"]  # 8 of 15 households flagged
    view = run("report", "quarter", "2026Q4", lang="zh")
    assert "挂牌预警" in view.output and "网格" in view.output
    override = json.loads(run("report", "quarter", "2026Q4", "--json", "--warning-share", "90%").stdout)
    assert override["flags"]["villages"] == []


def test_bad_quarter(demo_db):
    run = Run(demo_db)
    for period in ("2026Q5", "2030Q1", "Q4"):
        result = run("report", "quarter", period)
        assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_month_end_context_copies_every_field_of_the_context():
    # quarter._context builds Context positionally (dataclasses.replace was a third of its cost): a field
    # added to Context later must not be dropped silently.
    import dataclasses

    from grid_cli.exports import quarter
    from grid_cli.rules.base import Context

    from grid_cli.model import Visits

    ctx = Context(*[Visits.of(()) if f.name == "visits" else object() for f in dataclasses.fields(Context)])
    assert quarter._context(ctx, ctx.visits, ctx.monitoring, ctx.threshold, ctx.today) == ctx
