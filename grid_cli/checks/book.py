"""The catalogue's result as a printable workbook: a summary sheet (each check, its national numbers, how
many problems and exemptions), then one sheet per check that found anything, with the offending rows.
ID numbers are masked (first 6, last 4); the writer prints each sheet on A4 with its header repeated."""

from __future__ import annotations

from grid_cli.checks.base import AREAS
from grid_cli.checks.runner import CheckReport
from grid_cli.exports.table import Book, Sheet, Table
from grid_cli.i18n import lang, tr
from grid_cli.idcard import mask_id


def check_book(report: CheckReport, place: str = "") -> Book:
    zh = lang() == "zh"
    summary = Table("summary", tr("数据质量检查（{d}，{n} 户）", "Data-quality checks ({d}, {n} households)", d=report.on,
                                  n=report.households),
                    [tr("检查项", "check"), tr("类别", "area"), tr("说明", "what"), tr("全国疑点编号", "national no."),
                     tr("问题", "problems"), tr("豁免", "exempted")],
                    [[r.id, AREAS[r.area][0 if zh else 1], r.title[0 if zh else 1], "、".join(r.national), r.count,
                      r.exempted] for r in report.results],
                    widths=[26, 10, 44, 22, 8, 8], wrap=[False, False, True, True, False, False],
                    centered=(tr("问题", "problems"), tr("豁免", "exempted")))
    sheets = [Sheet(tr("汇总", "Summary"), [summary], freeze_cols=1)]
    for r in report.results:
        if not r.problems:
            continue
        rows = [[p.hh_no, p.village or "", p.grid or "", p.name or "", mask_id(p.id_number) if p.id_number else "",
                 p.message("zh" if zh else "en")] for p in r.problems]
        table = Table(r.id, f"{r.title[0 if zh else 1]}（{r.id}{'；' + '、'.join(r.national) if r.national else ''}）",
                      [tr("户编号", "No."), tr("自然村", "village"), tr("网格", "grid"), tr("姓名", "name"),
                       tr("证件号码", "ID number"), tr("问题", "problem")], rows,
                      widths=[18, 10, 10, 10, 22, 60], wrap=[False, False, False, False, False, True])
        sheets.append(Sheet(r.id[:31], [table], freeze_cols=1))
    return Book(sheets, page_header=place)
