"""The data-quality section of the quarterly report (季分析): the catalogue's counts as of the quarter's day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grid_cli.checks.base import AREAS
from grid_cli.exports.table import Table
from grid_cli.i18n import lang, tr
from grid_cli.ledger import Ledger


def quarter_section(ledger: Ledger, on: dt.date) -> dict[str, Any]:
    """Problems and exemptions per check (the checks that found anything), as of `on`."""
    from grid_cli.checks.runner import run

    report = run(ledger, on=on)
    found = [r.as_dict() for r in report.results if r.count or r.exempted]
    return {"as_of": on.isoformat(), "households": report.households, "problems": report.total,
            "exempted": sum(r.exempted for r in report.results), "checks_run": len(report.results), "checks": found}


def quarter_table(section: dict[str, Any]) -> Table:
    zh = lang() == "zh"
    rows = [[c["check"], AREAS[c["area"]][0 if zh else 1], c["title_zh"] if zh else c["title_en"], "、".join(c["national"]),
             c["problems"], c["exempted"]] for c in section["checks"]]
    return Table("data_quality", tr(f"数据质量（{section['checks_run']} 项检查，问题 {section['problems']} 项，豁免 {section['exempted']} 项）",
                                    f"Data quality ({section['checks_run']} checks, {section['problems']} problems, "
                                    f"{section['exempted']} exempted)"),
                 [tr("检查项", "check"), tr("类别", "area"), tr("说明", "what"), tr("全国疑点编号", "national no."),
                  tr("问题", "problems"), tr("豁免", "exempted")], rows,
                 widths=[26, 10, 40, 22, 8, 8], wrap=[False, False, True, True, False, False],
                 note=tr("明细：grid check --out 文件.xlsx", "details: grid check --out FILE.xlsx") if rows else tr("未发现问题", "no problem found"))
