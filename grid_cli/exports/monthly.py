"""The monthly grid ledger 村级监测对象网格管理电子台账: what the clerk files and prints.

Three sheets: 台账 (one row per household, official column names, this month's visits, findings and
their reasons, the grade, 帮扶责任人 and measures), 家庭成员 (one row per member, grouped by 户编号) and
汇总 (counts by household type, category, risk type and grade; inclusions and eliminations this month;
native charts). ID numbers and phones are masked (first 6 / last 4, phones 3 / 4) unless `unmasked`.
"""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

from grid_cli import catalog
from grid_cli.clock import today as clock_today
from grid_cli.exports.snapshot import as_of, check_area, month_range
from grid_cli.exports.table import Book, Chart, Sheet, Table
from grid_cli.findings import Area
from grid_cli.i18n import GRADE_LABEL, lang, tr, yes_no_zh as _yes_no
from grid_cli.idcard import mask_id, mask_phone
from grid_cli.ledger import Ledger
from grid_cli.place import Address, address_of
from grid_cli.rules.base import grade_of
from grid_cli.standing import MAX_RISKS

# 开发式帮扶 (development-type measures that build the household's own income), as opposed to the
# 保障式 ones (综合保障, 健康, 义务教育, 住房, 饮水, 社会帮扶). Fills 实施开发式帮扶措施情况.
DEVELOPMENT = ("产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶", "其他教育帮扶", "搬迁", "生产生活条件改善", "基础设施")

GRADE_COLOURS = ("E06666", "FFD966", "93C47D")  # red, yellow, green series

# (header, width in Excel character units, wrap)
HOUSEHOLD_COLUMNS: list[tuple[str, float, bool]] = [
    ("序号", 4, False),
    ("户编号", 14.5, False),
    ("户主姓名", 6.5, True),
    ("证件号码", 18, False),
    ("家庭人口数", 4.5, False),
    ("联系电话", 11.5, False),
    ("自然村", 6, True),
    ("户类型", 8.5, True),
    ("监测对象类别", 7, True),
    ("识别监测时间", 6.5, False),
    *[(f"致贫/返贫风险{i}", 5.5, True) for i in range(1, MAX_RISKS + 1)],
    ("人均纯收入（元）", 7.5, False),
    ("合规自付支出", 6.5, False),
    ("危房等级", 4.5, False),
    ("实施开发式帮扶措施情况", 9, True),
    ("风险是否已消除", 4.5, False),
    ("风险消除方式", 5.5, True),
    ("消除监测时间", 6.5, False),
    ("劳动技能", 12, True),
    ("在校生状况", 9.5, True),
    ("监测状态", 6, True),  # 待审核 / 待审定 / 监测中 / 拟消除 / 风险已消除: where the household's case stands
    ("本月走访日期", 6.5, True),
    ("风险提示及原因", 28, True),
    ("风险等级", 4.5, False),
    ("帮扶责任人", 9, True),
    ("帮扶措施", 14, True),
]

MEMBER_COLUMNS: list[tuple[str, float, bool]] = [
    ("序号", 5, False), ("自然村", 7, True), ("户编号", 15.5, False), ("姓名", 7.5, True), ("性别", 4.5, False),
    ("证件号码", 19.5, False), ("与户主关系", 6.5, True), ("民族", 5.5, True), ("文化程度", 8, True),
    ("在校生状况", 8, True), ("健康状况", 8, True), ("劳动技能", 10, True), ("务工状况", 9, True),
    ("务工时间（月）", 6, False), ("是否参加城乡居民基本医疗保险", 8, False), ("是否参加大病保险", 6, False),
    ("是否参加城乡居民基本养老保险", 8, False), ("是否享受农村最低生活保障", 8, False), ("是否特困供养人员", 6, False),
    ("联系电话", 12.5, False), ("户类型", 7, True), ("监测对象类别", 9, True),
]


def yyyymm(value: Any) -> str:
    """A date or 'YYYY-MM' as the national system writes months: 202611."""
    if value is None or value == "":
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}{value.month:02d}"
    return str(value).replace("-", "")[:6]


SHORT = {"弱劳动力或半劳动力": "弱/半劳动力"}


def _counted(values: list[str | None], rank: dict[str, int], skip: tuple = ()) -> str:
    """'普通劳动力2\n无劳动力1': how many members have each value, in catalogue order."""
    counts: dict[str, int] = {}
    for v in values:
        if v and v not in skip:
            counts[v] = counts.get(v, 0) + 1
    if len(counts) > 1:
        counts = dict(sorted(counts.items(), key=lambda kv: (rank.get(kv[0], 99), kv[0])))
    return "\n".join(f"{SHORT.get(k, k)}{n}" for k, n in counts.items())


@dataclass
class MonthlyLedger:
    book: Book
    month: str
    on: dt.date
    households: int  # once the book's rows have been read (at once for build_monthly)
    members: int
    unmasked: bool
    data: "MonthlyData | None" = None


def _with_grid(columns: list[tuple[str, float, bool]], hub: bool, after: str) -> list[tuple[str, float, bool]]:
    if not hub:
        return columns
    i = [c[0] for c in columns].index(after) + 1
    return columns[:i] + [("网格", 10, True)] + columns[i:]


# -- the data stage: plain rows and tallies -----------------------------------------------------------
@dataclass
class MonthlyData:
    """The month's rows, read a batch of households at a time: `household_rows()` yields the 台账 rows
    (counting the summary's tallies and keeping the member rows aside in a temporary file as it goes),
    then `member_rows()` gives the 家庭成员 rows. Nothing holds the ledger whole."""

    ledger: Ledger
    month: str
    first: dt.date
    on: dt.date
    place: Address
    area: Area
    unmasked: bool
    year: int = 0
    threshold: int = 0
    households: int = 0
    members: int = 0
    visited: int = 0
    tallies: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in (
        "type", "type_people", "type_monitored", "cat_active", "cat_done", "risk", "grade", "state")})
    village_grades: dict[str, Counter] = field(default_factory=dict)
    changes: list[list] = field(default_factory=list)  # this month's inclusions and eliminations (few)
    worker: bool = False  # written by a worker process: fewer households at a time, the store only read
    _spool: Any = None

    def household_rows(self) -> Iterator[list]:
        from grid_cli.findings import BATCH, as_stored, batches, configs_on, current, evaluate_batch

        size, stored = BATCH, None
        if self.worker:
            from grid_cli.workers import BATCH as size
        if self.on == clock_today():  # today's: the store (a worker reads it as it is: its ledger is read-only)
            stored = as_stored(self.ledger, self.on) if self.worker else current(self.ledger)
        self.year, self.threshold, configs = configs_on(self.ledger, self.on)
        self._spool = tempfile.TemporaryFile()
        for batch in batches(self.ledger, self.on, where=self.area.sql(""), params=self.area.params,
                             order="h.grid, h.village, h.hh_no, h.id", size=size):
            ids = [h["id"] for h in batch.households]
            judged = stored.of(ids) if stored else {}
            if len(judged) < len(ids):  # a past month, or households changed since the store was brought up to date
                missing = [ctx for ctx in batch.contexts if ctx.household_id not in judged]
                for hid, found in evaluate_batch(batch, configs, missing).items():
                    judged[hid] = (grade_of(found), found)
            member_rows = []
            for h, ctx in zip(batch.households, batch.contexts):
                grade, found = judged[h["id"]]  # every household: stored, or judged just above
                yield self._row(h, ctx, batch, grade, found, member_rows)
            pickle.dump(member_rows, self._spool)

    def member_rows(self) -> Iterator[list]:
        if self._spool is None:
            return
        self._spool.seek(0)
        while True:
            try:
                yield from pickle.load(self._spool)
            except EOFError:
                break
        self._spool.close()

    def _row(self, h: dict, ctx, batch, grade: str, found: list, member_rows: list) -> list:
        hid, hub, lg = h["id"], self.place.hub, lang()
        hide_id = (lambda v: v or "") if self.unmasked else mask_id
        hide_phone = (lambda v: v or "") if self.unmasked else mask_phone
        first_s, on_s = self.first.isoformat(), self.on.isoformat()
        state = ctx.monitoring
        people = sorted(batch.members.get(hid, ()), key=lambda m: (m["relation"] != "户主", m["birth_date"] or "", m["id"]))
        head = next((m for m in people if m["relation"] == "户主"), people[0] if people else {})
        visits = ctx.visits
        last_visit = visits[-1] if visits else None
        house_grade = getattr(visits.latest("house_grade"), "house_grade", "")
        month_visits = [day.isoformat()[5:] for day in visits.between(self.first, self.on).dates]
        self.households += 1
        self.visited += bool(month_visits)
        monitored, eliminated = state.monitored, state.eliminated
        category = (state.category if monitored or eliminated else None) or h["category"] or ""
        risks = list(state.risks if monitored or eliminated else ())[:MAX_RISKS]
        measures = state.measures
        dev = sorted({m.kind for m in measures if m.kind in DEVELOPMENT}, key=DEVELOPMENT.index)
        dev_text = (("是：" + "、".join(dev)) if dev else "否") if monitored or eliminated else "、".join(dev)
        helpers = "\n".join(f"{x.get('name', '')}（{x['unit']}）" if x.get("unit") else x.get("name", "")
                            for x in state.helpers)
        measure_text = "\n".join(
            f"{m.kind}{'：' + m.detail if m.detail else ''}" + (f"（{m.start.isoformat()}起）" if m.start else "")
            for m in measures)
        row = [
            self.households, h["hh_no"] or "", head.get("name", ""), hide_id(head.get("id_number")), len(people),
            hide_phone(h["phone"] or head.get("phone")), h["village"] or "", *([h["grid"] or ""] if hub else []),
            h["hh_type"] or "", category, yyyymm(state.identified) if state.identified else "",
            *(risks + [""] * (MAX_RISKS - len(risks))),
            last_visit.per_capita if last_visit else None, last_visit.rigid if last_visit else None, house_grade,
            dev_text, "是" if eliminated else "否" if monitored else "",
            state.elimination_method or "" if eliminated else "", yyyymm(state.eliminated_month) if eliminated else "",
            _counted([m["labour_skill"] for m in people], _rank("labour_skill")),
            _counted([m["school_status"] for m in people], _rank("school_status"), ("非在校生",)) or "无",
            state.state,
            "\n".join(month_visits), "\n".join("●" + f.message(lg) for f in found), tr(*GRADE_LABEL[grade]),
            helpers, measure_text,
        ]
        t = self.tallies
        hh_type = h["hh_type"] or tr("未填", "not given")
        t["type"][hh_type] += 1
        t["type_people"][hh_type] += len(people)
        t["type_monitored"][hh_type] += monitored
        if monitored:
            t["cat_active"][category or tr("未填", "not given")] += 1
            for r in risks:
                t["risk"][r] += 1
        elif eliminated:
            t["cat_done"][category or tr("未填", "not given")] += 1
        t["grade"][grade] += 1
        t["state"][state.state] += 1
        self.village_grades.setdefault(h["village"] or "", Counter())[grade] += 1
        for d in state.decisions:  # what the county decided (or the national system recorded) this month
            if first_s <= (d["date"] or "") <= on_s:
                self.changes.append([h["hh_no"], head.get("name", ""), h["village"] or "", _change(d),
                                     (d["category"] if d["stage"] == "include" else d["method"]) or "", d["date"]])
        for m in people:
            self.members += 1
            member_rows.append([
                self.members, h["village"] or "", *([h["grid"] or ""] if hub else []), h["hh_no"] or "",
                m["name"] or "", m["sex"] or "", hide_id(m["id_number"]), m["relation"] or "", m["ethnicity"] or "",
                m["education"] or "", m["school_status"] or "", m["health"] or "", m["labour_skill"] or "",
                m["work_status"] or "", m["work_months"], _yes_no(m["medical_insurance"]),
                _yes_no(m["serious_illness_insurance"]), _yes_no(m["pension_insurance"]), _yes_no(m["dibao"]),
                _yes_no(m["tekun"]), hide_phone(m["phone"]), h["hh_type"] or "", category,
            ])
        return row


CHANGES = {("include", "approve"): ("纳入", "included"), ("eliminate", "approve"): ("消除", "eliminated"),
           ("include", "return"): ("纳入申请退回", "inclusion returned"),
           ("eliminate", "return"): ("消除申请退回", "elimination returned")}


def _change(decision: dict) -> str:
    if decision["stage"] == "include" and decision["decision"] == "approve" and decision["reinclusion"]:
        return tr("重新纳入", "re-included")
    return tr(*CHANGES[decision["stage"], decision["decision"]])


def _rank(kind: str) -> dict[str, int]:
    return {name: i for i, name in enumerate(catalog.choices(kind))}


def monthly_data(ledger: Ledger, month: Any, *, village: str | None = None, grid: str | None = None,
                 township: str | None = None, unmasked: bool = False, worker: bool = False) -> MonthlyData:
    """The month's data stage, checked (the month, the area) before anything is read. Judged as of the
    month's last day (or today, for the current month)."""
    month, first, last = month_range(month)
    on = as_of(first, last, ("该月份", "that month"))
    area = Area(township, grid, village)
    check_area(ledger, area)
    return MonthlyData(ledger, month, first, on, address_of(ledger), area, unmasked, worker=worker)


# -- the book ------------------------------------------------------------------------------------------
def monthly_book(data: MonthlyData) -> Book:
    """The three sheets: the 台账 and 家庭成员 rows as the data stage reads them, then the summary of what
    they counted."""
    place = data.place
    title_place = place.name() if not data.area.township else data.area.township
    zh_month = f"{data.first.year}年{data.first.month}月"
    house_cols = _with_grid(HOUSEHOLD_COLUMNS, place.hub, "自然村")
    households = Table("households", f"{title_place}村级监测对象网格管理电子台账（{zh_month}）",
                       [c[0] for c in house_cols], data.household_rows(), [c[1] for c in house_cols],
                       [c[2] for c in house_cols],
                       centered=("家庭人口数", "危房等级", "风险是否已消除", "风险等级", "识别监测时间", "消除监测时间",
                                 "监测状态"))
    member_cols = _with_grid(MEMBER_COLUMNS, place.hub, "自然村")
    members = Table("members", f"{title_place}监测家庭成员信息（{zh_month}）", [c[0] for c in member_cols],
                    data.member_rows(), [c[1] for c in member_cols], [c[2] for c in member_cols],
                    centered=("性别", "务工时间（月）", "是否参加城乡居民基本医疗保险", "是否参加大病保险",
                              "是否参加城乡居民基本养老保险", "是否享受农村最低生活保障", "是否特困供养人员"))
    masked_note = "" if data.unmasked else tr("证件号码、联系电话已脱敏", "ID numbers and phones masked")
    on_s = data.on.isoformat()
    year, threshold = configs_year(data.ledger, data.on)
    n, m = data.ledger.conn.execute(  # said above the rows, before they are read
        "SELECT count(*), coalesce(sum((SELECT count(*) FROM members x WHERE x.household_id = h.id"
        f" AND x.status = '正常')), 0) FROM households h WHERE h.status = '正常'{data.area.sql()}",
        data.area.params).fetchone()
    return Book(
        [Sheet("台账", [households], freeze_cols=4),
         Sheet("家庭成员", [members], freeze_cols=5 if place.hub else 4),
         lambda: Sheet("汇总", summary_tables(data), main=False, fit_height=1)],
        page_header=f"{place.label()}  {zh_month}  村级监测对象网格管理电子台账",
        lines=[tr("截至 {d}；{y}年监测标准 {t:,} 元/人/年；共 {n} 户 {m} 人。{mask}",
                  "As of {d}; {y} threshold {t:,} yuan/person/year; {n} households, {m} people. {mask}",
                  d=on_s, y=year, t=threshold, n=n, m=m, mask=masked_note)],
        footer_lines=[tr("填表人：__________    审核人：__________    填报日期：____年__月__日",
                         "Prepared by: __________    Checked by: __________    Date: __________")],
    )


def configs_year(ledger: Ledger, on: dt.date) -> tuple[int, int]:
    from grid_cli.findings import year_in_force

    year, config = year_in_force(ledger, on)
    return year, config["threshold"]


def summary_tables(data: MonthlyData) -> list[Table]:
    """The 汇总 sheet's tables, from the tallies the rows counted."""
    tallies, changes = data.tallies, data.changes
    inclusions = sum(1 for c in changes if c[3] in (tr("纳入", "included"), tr("重新纳入", "re-included")))
    eliminations = sum(1 for c in changes if c[3] == tr("消除", "eliminated"))
    states = tallies["state"]
    on_s = data.on.isoformat()
    item, count_h = tr("项目", "item"), tr("户数", "households")
    overview = Table("overview", tr("基本情况", "Overview"), [item, tr("数量", "count")], [
        [tr("在册农户（户）", "households"), data.households],
        [tr("在册人口（人）", "people"), data.members],
        [tr("监测对象（户，县级审定，风险未消除）", "monitored (approved, risk not eliminated)"),
         sum(tallies["cat_active"].values())],
        [tr("  其中拟消除（户）", "  of which elimination proposed"), states["拟消除"]],
        [tr("已消除风险（户）", "risk eliminated"), sum(tallies["cat_done"].values())],
        [tr("待审核（户，未计入监测对象）", "pending township review (not counted as monitored)"), states["待审核"]],
        [tr("待审定（户，未计入监测对象）", "pending county approval (not counted as monitored)"), states["待审定"]],
        [tr("本月纳入（户）", "included this month"), inclusions],
        [tr("本月消除（户）", "eliminated this month"), eliminations],
        [tr("本月退回（户）", "returned this month"), len(changes) - inclusions - eliminations],
        [tr("本月已走访（户）", "visited this month"), data.visited],
        [tr("本月未走访（户）", "not visited this month"), data.households - data.visited],
        [tr("风险等级 红（户）", "grade red"), tallies["grade"]["red"]],
        [tr("风险等级 黄（户）", "grade yellow"), tallies["grade"]["yellow"]],
        [tr("风险等级 绿（户）", "grade green"), tallies["grade"]["green"]],
    ], note=tr(f"截至 {on_s}；{data.year}年监测标准 {data.threshold:,} 元/人/年",
               f"as of {on_s}; {data.year} threshold {data.threshold:,} yuan/person/year"))
    type_order = catalog.choices("household_type")
    by_type = Table("by_type", tr("按户类型", "By household type"),
                    ["户类型", count_h, tr("人口数", "people"), tr("其中监测对象", "of which monitored")],
                    [[t, tallies["type"][t], tallies["type_people"][t], tallies["type_monitored"][t]]
                     for t in _ordered(tallies["type"], type_order)])
    cat_order = catalog.choices("category")
    cats = _ordered(tallies["cat_active"] + tallies["cat_done"], cat_order, keep=cat_order)
    by_category = Table("by_category", tr("按监测对象类别", "By monitoring category"),
                        ["监测对象类别", tr("监测中", "monitored"), tr("已消除", "eliminated")],
                        [[c, tallies["cat_active"][c], tallies["cat_done"][c]] for c in cats],
                        chart=Chart(tr("监测对象类别", "Monitoring category"), (1, 2), "bar", tr("户", "households"), True))
    risk_order = catalog.choices("risk_type")
    by_risk = Table("by_risk", tr("按风险类型（监测中）", "By risk type (monitored)"), [tr("风险类型", "risk type"), count_h],
                    [[r, tallies["risk"][r]] for r in _ordered(tallies["risk"], risk_order)],
                    chart=Chart(tr("风险类型", "Risk types"), (1,), "barh", tr("户", "households")),
                    note=tr("一户可有多项风险", "a household may have several risk types"))
    by_village = Table("by_village", tr("按自然村 · 风险等级", "By village · risk grade"),
                       [tr("自然村", "village"), tr("红", "red"), tr("黄", "yellow"), tr("绿", "green"), tr("合计", "total")],
                       [[v or tr("未填", "not given"), c["red"], c["yellow"], c["green"], sum(c.values())]
                        for v, c in sorted(data.village_grades.items())],
                       chart=Chart(tr("各自然村风险等级", "Risk grade by village"), (1, 2, 3), "bar", tr("户", "households"), True,
                                   GRADE_COLOURS))
    change_table = Table("changes", tr("本月纳入与消除", "Included and eliminated this month"),
                         ["户编号", "户主姓名", "自然村", tr("变动", "change"), tr("类别/方式", "category / method"),
                          tr("日期", "date")], changes or [], note="" if changes else tr("本月无", "none this month"))
    return [overview, by_type, by_category, by_risk, by_village, change_table]


def stream_monthly(ledger: Ledger, month: Any, **kw) -> MonthlyLedger:
    """The month's ledger as a Book whose big sheets are read as the writer writes them (the counts are
    filled in once it has)."""
    data = monthly_data(ledger, month, **kw)
    return MonthlyLedger(monthly_book(data), data.month, data.on, 0, 0, data.unmasked, data)


def build_monthly(ledger: Ledger, month: Any, *, village: str | None = None, grid: str | None = None,
                  township: str | None = None, unmasked: bool = False) -> MonthlyLedger:
    """The month's ledger as a Book held whole (a grid's or a township's; a county streams: stream_monthly)."""
    data = monthly_data(ledger, month, village=village, grid=grid, township=township, unmasked=unmasked)
    book = monthly_book(data)
    for table in book.tables():  # in order: the summary sheet is made after the rows it counts
        table.rows = list(table.rows)
    return MonthlyLedger(book, data.month, data.on, data.households, data.members, unmasked, data)


def _ordered(counter: Counter, order: list[str], keep: list[str] | None = None) -> list[str]:
    """Catalogue order first (all of `keep` even when zero), then any other values."""
    rank = {name: i for i, name in enumerate(order)}
    names = set(counter) | set(keep or ())
    return sorted((n for n in names if counter[n] or n in (keep or ())), key=lambda n: (rank.get(n, 99), n))
