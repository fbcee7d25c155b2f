"""The quarterly analysis 季分析 the township reports (每季度通报).

`build_quarter()` returns one plain dict (stable English keys; what `grid report quarter --json` prints):
the monthly trend, inclusions against eliminations, counts by 自然村 (and by grid and township in a hub
ledger), risk types, overdue visits, and the per-capita income growth of 脱贫户 against last year set
beside the growth of all rural households. `quarter_book()` lays the same dict out as tables for the
xlsx / csv writers.

Two figures are local settings, not policy constants (DOMAIN.md: where no national figure exists, make it
configuration), kept per year in the ledger's config:

  report.rural_growth   growth of per-capita income of all rural households for the year, the figure the
                        脱贫户 growth must beat. Default 0.066: the national rural per-capita disposable
                        income growth for 2024 (nominal 6.6 %, National Bureau of Statistics, January 2025),
                        a stand-in until the county sets its own figure (`grid report set rural_growth 0.058`).
  report.warning_share  share of flagged (red or yellow) households above which a village is marked
                        挂牌预警 in a hub ledger. Default 0.30, a working default with no national source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from typing import Any

from grid_cli import catalog
from grid_cli.clock import today as clock_today
from grid_cli.errors import UsageError
from grid_cli.exports.snapshot import as_of, month_range
from grid_cli.findings import LOOKBACK_DAYS
from grid_cli.rules import followup
from grid_cli.model import PENDING_APPROVAL, PENDING_REVIEW, PROPOSED_ELIMINATION, Visits
from grid_cli.rules.base import Context
from grid_cli.rules.base import grade_of
from grid_cli.exports.table import Book, Chart, Sheet, Table
from grid_cli.parse import monitoring_year
from grid_cli.i18n import pct as _pct, tr
from grid_cli.ledger import Ledger
from grid_cli.place import address_of

SETTINGS = {
    "rural_growth": (0.066, "全体农村居民人均收入增幅", "income growth of all rural households"),
    "warning_share": (0.30, "挂牌预警线（风险户占比）", "挂牌预警 line (share of flagged households)"),
}
FLAGGED = ("red", "yellow")
PAIR_WINDOW_DAYS = 365  # last year's visit: the latest one between two years and one year before the day


def parse_quarter(text: str) -> tuple[str, dt.date, dt.date, list[str]]:
    """'2026Q4' (also 2026-Q4, 2026q4, 2026年第4季度) -> ('2026Q4', first day, last day, its months)."""
    raw = str(text).strip()
    match = re.fullmatch(r"(\d{4})\s*[-_ ]?\s*[Qq]([1-4])", raw) or re.fullmatch(r"(\d{4})年第?([1-4一二三四])季度?", raw)
    if not match:
        raise UsageError(f"无法识别季度“{raw}”，请写成 2026Q4", f"cannot read the quarter '{raw}'; write it as 2026Q4")
    year = monitoring_year(int(match.group(1)))
    q = "1234一二三四".index(match.group(2)) % 4 + 1
    months = [f"{year:04d}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
    return f"{year}Q{q}", month_range(months[0])[1], month_range(months[-1])[2], months


def settings(ledger: Ledger, year: int) -> dict[str, dict[str, Any]]:
    """Each report setting for the year: its value and where it came from ('config YEAR' or 'default')."""
    config = ledger.config(year)
    out = {}
    for key, (default, _zh, _en) in SETTINGS.items():
        value = config.get(f"report.{key}")
        out[key] = {"value": value if value is not None else default,
                    "source": f"config {year}" if value is not None else "default"}
    return out


def parse_share(text: Any, what: str) -> float:
    """'6.6%', '0.066' or 6.6 (a bare number above 1 is read as per cent) -> 0.066."""
    raw = str(text).strip()
    try:
        value = float(raw.rstrip("%％")) / (100 if raw.endswith(("%", "％")) else 1)
    except ValueError:
        raise UsageError(f"{what}“{raw}”不是数字，例如 6.6% 或 0.066", f"{what} '{raw}' is not a number (e.g. 6.6% or 0.066)") from None
    if value > 1 and not raw.endswith(("%", "％")):
        value /= 100
    if not -0.5 <= value <= 1:
        raise UsageError(f"{what} {raw} 不在合理范围内", f"{what} {raw} is out of range")
    return round(value, 6)


def set_setting(ledger: Ledger, key: str, value: Any, year: int) -> dict[str, Any]:
    key = key.removeprefix("report.")
    if key not in SETTINGS:
        raise UsageError(f"没有报表设置“{key}”（可用：{'、'.join(SETTINGS)}）", f"no report setting '{key}' ({', '.join(SETTINGS)})")
    number = parse_share(value, key)
    if key == "warning_share" and not 0 < number <= 1:
        raise UsageError("挂牌预警线应在 0 到 100% 之间", "the warning line must be between 0 and 100%")
    with ledger.write() as w:
        return w.set_config(year, {f"report.{key}": number})


def _month_of(day: str | None) -> str:
    return (day or "")[:7]


_GROUP_KEYS = ("households", "people", "monitored", "flagged", "red", "overdue", "included", "eliminated")


class _Quarter:
    """What the report counts, one household at a time, over one batched pass of the ledger: the quarter's
    lifecycle changes, each month end's assessment (the stored findings for today, the rules for a past
    month end), the places, the risk types, the overdue visits and the income pairs."""

    def __init__(self, on: dt.date, ends: dict[str, dt.date], place, parents: dict[str, str], months: list[str],
                 first: dt.date):
        self.on, self.ends, self.place, self.parents, self.months, self.first = on, ends, place, parents, months, first
        self.included, self.eliminated, self.returned = Counter(), Counter(), Counter()
        self.followups: list[dict] = []  # 回头看: the households due this quarter, done or not
        self.inc_category, self.elim_method, self.elim_category = Counter(), Counter(), Counter()
        self.trend = {m: Counter() for m in ends}
        self.groups: dict[str, dict[str, Counter]] = {"village": defaultdict(Counter), "grid": defaultdict(Counter),
                                                      "township": defaultdict(Counter)}
        self.totals = Counter()
        self.risks = Counter()
        self.overdue: list[dict] = []
        self.income: list[tuple[int, int]] = []  # (per capita now, a year earlier) of 脱贫户 visited both years

    def changes(self, monitoring, first_s: str, on_s: str) -> Counter:
        """The quarter's decisions that took effect (a county approval, or a record imported from the national
        system): inclusions and eliminations by the month they were decided; returns counted apart."""
        mine = Counter()
        for d in monitoring.decisions:
            if not first_s <= (d["date"] or "") <= on_s:
                continue
            if d["decision"] == "return":
                self.returned[d["stage"]] += 1
            elif d["stage"] == "include":
                self.included[_month_of(d["date"])] += 1
                self.inc_category[d["category"] or ""] += 1
                mine["included"] += 1
            else:
                self.eliminated[_month_of(d["date"])] += 1
                self.elim_method[d["method"] or ""] += 1
                self.elim_category[d["category"] or ""] += 1
                mine["eliminated"] += 1
        return mine

    def month_end(self, month: str, ctx, grade: str, found: list, m_first: dt.date, m_on: dt.date) -> None:
        t = self.trend[month]
        t["monitored"] += ctx.monitoring.monitored
        t["pending"] += ctx.monitoring.state in (PENDING_REVIEW, PENDING_APPROVAL)
        seen = len(ctx.visits.between(m_first, m_on))
        t["visits"] += seen
        t["visited"] += bool(seen)
        t["flagged"] += grade in FLAGGED
        t["red"] += grade == "red"
        t["overdue"] += sum(f.rule == "visit_overdue" for f in found)

    def final(self, h: dict, ctx, people: int, grade: str, found: list, mine: Counter) -> None:
        overdue = [f for f in found if f.rule == "visit_overdue"]
        values = {"households": 1, "people": people, "monitored": ctx.monitoring.monitored,
                  "flagged": grade in FLAGGED, "red": grade == "red", "overdue": bool(overdue),
                  "included": mine["included"], "eliminated": mine["eliminated"]}
        keys = {"village": h["village"], "grid": h["grid"],
                "township": self.parents.get(h["grid"] or "") or self.place.township}
        for by, key in keys.items():
            self.groups[by][key or ""].update(values)
        mon = ctx.monitoring
        self.totals.update({**values, "eliminated_ever": mon.eliminated, "yellow": grade == "yellow",
                            "pending_review": mon.state == PENDING_REVIEW, "pending_approval": mon.state == PENDING_APPROVAL,
                            "proposed_elimination": mon.state == PROPOSED_ELIMINATION,
                            "reinclusion": any(f.rule == "eliminated_unstable" for f in found)})
        if followup.due_in(mon, self.first):  # 回头看: eliminated before the quarter began
            done = followup.done_in(ctx.visits, self.first, self.on)
            last = ctx.visits.latest("followup")
            self.followups.append({"hh_no": h["hh_no"], "village": h["village"], "eliminated": mon.eliminated_month,
                                   "done": done.date.isoformat() if done else None,
                                   "last": last.date.isoformat() if last else None})
        if ctx.monitoring.monitored:
            self.risks.update(ctx.monitoring.risks)
        for f in overdue:
            self.overdue.append({"hh_no": f.hh_no, "village": h["village"], "days": f.facts.get("days"),
                                 "last_visit": f.facts.get("last"), "must_visit": f.severity == "high"})
        pair = _income_pair(ctx, self.on)
        if pair:
            self.income.append(pair)

    def merge(self, part: "_Quarter") -> None:
        """Add what a worker counted over its batch (workers.py); parts merged in the households' order give
        the lists in that order, as one pass would."""
        for name in ("included", "eliminated", "returned", "inc_category", "elim_method", "elim_category", "totals",
                     "risks"):
            getattr(self, name).update(getattr(part, name))
        for month, counts in part.trend.items():
            self.trend[month].update(counts)
        for by, groups in part.groups.items():
            for key, counts in groups.items():
                self.groups[by][key].update(counts)
        self.followups += part.followups
        self.overdue += part.overdue
        self.income += part.income

    def group_rows(self, by: str, line: float) -> list[dict[str, Any]]:
        rows = []
        for name, g in sorted(self.groups[by].items()):
            share = round(g["flagged"] / g["households"], 4) if g["households"] else 0.0
            rows.append({"name": name, **{k: g[k] for k in _GROUP_KEYS}, "flagged_share": share,
                         "warning": bool(self.place.hub and share > line)})
        return rows


def build_quarter(ledger: Ledger, quarter: str, *, rural_growth: float | None = None,
                  warning_share: float | None = None) -> dict[str, Any]:
    from grid_cli.findings import configs_on, current

    name, first, last, months = parse_quarter(quarter)
    on = as_of(first, last, ("该季度", "that quarter"))
    place = address_of(ledger)
    # each month's end (or today), judged as of that day: today's from the store, a past one by the rules
    ends = {m: min(month_range(m)[2], on) for m in months if month_range(m)[1] <= on}
    stored = current(ledger) if on == clock_today() else None
    judges = {day: configs_on(ledger, day) for day in set(ends.values()) | {on}}
    year, threshold, _configs = judges[on]
    found = settings(ledger, year)
    if rural_growth is not None:
        found["rural_growth"] = {"value": rural_growth, "source": "option"}
    if warning_share is not None:
        found["warning_share"] = {"value": warning_share, "source": "option"}
    line = found["warning_share"]["value"]
    first_s, on_s = first.isoformat(), on.isoformat()
    parents = {r[0]: r[1] for r in ledger.conn.execute("SELECT code, parent FROM scope WHERE level = 'grid'")}
    q, quality = _count(ledger, _Pass((on, ends, place, parents, months, first), judges, stored is not None),
                        alone=bool(stored and stored.temporary))  # a worker cannot see this connection's temporary store

    t = q.totals
    result: dict[str, Any] = {
        "quarter": name, "months": months, "from": first_s, "to": last.isoformat(), "as_of": on_s,
        "place": {"level": place.level, "county": place.county, "township": place.township,
                  "village": place.village, "grid": place.grid},
        "year": year, "threshold": threshold,
        "settings": found,
        "totals": {
            "households": t["households"], "people": t["people"], "monitored": t["monitored"],
            "eliminated_ever": t["eliminated_ever"],
            "included": sum(q.included.values()), "eliminated": sum(q.eliminated.values()),
            "flagged": t["flagged"], "red": t["red"], "yellow": t["yellow"], "overdue": t["overdue"],
            "pending_review": t["pending_review"], "pending_approval": t["pending_approval"],
            "proposed_elimination": t["proposed_elimination"], "returned": sum(q.returned.values()),
            "reinclusion_suggested": t["reinclusion"],
        },
        "trend": [{"month": m, "as_of": day.isoformat(), "monitored": q.trend[m]["monitored"],
                   "included": q.included[m], "eliminated": q.eliminated[m], "visits": q.trend[m]["visits"],
                   "visited": q.trend[m]["visited"], "flagged": q.trend[m]["flagged"], "red": q.trend[m]["red"],
                   "overdue": q.trend[m]["overdue"], "pending": q.trend[m]["pending"]} for m, day in ends.items()],
        "changes": {
            "included_by_category": _ordered_counts(q.inc_category, catalog.choices("category")),
            "eliminated_by_method": _ordered_counts(q.elim_method, ["帮扶消除", "自然消除"]),
            "eliminated_by_category": _ordered_counts(q.elim_category, catalog.choices("category")),
        },
        "by_village": q.group_rows("village", line),
    }
    if place.hub:
        result["by_grid"] = q.group_rows("grid", line)
        if place.level != "township":
            result["by_township"] = q.group_rows("township", line)
    result["risk_types"] = [{"risk": r, "households": n}
                            for r, n in _ordered_counts(q.risks, catalog.choices("risk_type")).items()]
    overdue = q.overdue
    result["overdue"] = {
        "households": len(overdue),
        "must_visit": sum(r["must_visit"] for r in overdue),
        "by_village": dict(sorted(Counter(r["village"] or "" for r in overdue).items())),
        "list": sorted(overdue, key=lambda r: (not r["must_visit"], -(r["days"] or 10**6), r["hh_no"] or "")),
    }
    result["followup"] = {"due": len(q.followups), "done": sum(bool(r["done"]) for r in q.followups),
                          "list": sorted(q.followups, key=lambda r: (bool(r["done"]), r["hh_no"] or ""))}
    result["income"] = _income_growth(q.income, on, found["rural_growth"]["value"])
    result["flags"] = {"line": line, "villages": [r["name"] for r in result["by_village"] if r["warning"]],
                       "grids": [r["name"] for r in result.get("by_grid", []) if r["warning"]],
                       "applies": place.hub}
    result["data_quality"] = quality
    return result


class _Pass:
    """What one pass of the report judges each batch by (a worker process gets a copy): the quarter's
    counters' arguments, each month end's (year, threshold, rule configs), whether today's come from the store."""

    def __init__(self, quarter: tuple, judges: dict[dt.date, tuple], stored: bool):
        self.quarter, self.judges, self.stored = quarter, judges, stored
        on, ends = quarter[0], quarter[1]
        self.on, self.days = on, sorted(set(ends.values()))
        self.month_ends = [(month, month_range(month)[1], day) for month, day in ends.items()]  # (month, 1st, end)
        self.earliest = min(ends.values()) - dt.timedelta(days=LOOKBACK_DAYS)
        self.split: dict | None = None

    def count(self, q: _Quarter, ledger: Ledger, rows: list[dict], threshold: int | None, thresholds: dict) -> None:
        """Count a batch of household rows into q."""
        from grid_cli.findings import Stored, collector_paused, read_batch
        from grid_cli.rules.engine import evaluate_household, phases
        from grid_cli.standing import standing

        if self.split is None:
            self.split = {day: phases(configs) for day, (_y, _t, configs) in self.judges.items()}
        on, judges, split, first_s, on_s = self.on, self.judges, self.split, q.first.isoformat(), self.on.isoformat()
        batch = read_batch(ledger, rows, on, threshold, thresholds, since=self.earliest)
        with collector_paused():  # the three month ends' objects: see findings.collector_paused
            ids = [h["id"] for h in batch.households]
            judged = Stored(ledger, *judges[on][:2], on).of(ids) if self.stored else {}
            for h, ctx in zip(batch.households, batch.contexts):
                steps = batch.steps.get(h["id"], [])
                mine = q.changes(ctx.monitoring, first_s, on_s)
                at_end = {}
                for day in self.days:
                    day_ctx = _as_of(ctx, day, steps, judges[day][1], standing)
                    if day == on and h["id"] in judged:
                        grade, fs = judged[h["id"]]
                    else:
                        fs = evaluate_household(day_ctx, judges[day][2], split[day])
                        grade = grade_of(fs)
                    at_end[day] = (day_ctx, grade, fs)
                for month, m_first, day in self.month_ends:
                    q.month_end(month, *at_end[day], m_first, day)
                q.final(h, *at_end[on][:1], len(batch.member_rows.get(h["id"], ())), *at_end[on][1:], mine)


def _count(ledger: Ledger, report: _Pass, *, alone: bool) -> tuple[_Quarter, dict]:
    """The quarter's counts over every active household, in batches, and the data-quality catalogue (grid
    check) as of the day; on a big ledger (unless `alone`) by worker processes, the catalogue beside the
    batches."""
    from grid_cli import workers
    from grid_cli.checks.summary import quarter_section
    from grid_cli.findings import ACTIVE, BATCH, household_rows, thresholds_of

    judging = (report.judges[report.on][1], thresholds_of(ledger))  # today's threshold, as the batches read it
    active = ledger.conn.execute(f"SELECT count(*) FROM households WHERE {ACTIVE}").fetchone()[0]
    helpers = 0 if alone else workers.count(-(-active // BATCH))
    if helpers:
        # One process reads the whole pass in one snapshot (the household cursor stays open); workers read
        # each batch in its own, so a write by another program meanwhile means counting again, here.
        version = ledger.conn.execute("PRAGMA data_version").fetchone()[0]
        try:
            q = _Quarter(*report.quarter)
            with workers.Pool(helpers, _worker_setup, (str(ledger.path), report, judging)) as pool:
                quality = pool.submit(_worker_quality)
                for part in pool.ordered(_worker_count, household_rows(ledger, order="h.id",
                                                                       size=min(BATCH, workers.BATCH))):
                    q.merge(part)
                quality = quality.result()
            if ledger.conn.execute("PRAGMA data_version").fetchone()[0] == version:
                return q, quality
        except workers.BrokenProcessPool:
            pass  # a worker was killed (out of memory, say): count again in this process
    q = _Quarter(*report.quarter)
    for rows in household_rows(ledger, order="h.id"):
        report.count(q, ledger, rows, *judging)
    return q, quarter_section(ledger, report.on)


_WORKER: dict = {}  # a worker process's ledger and pass (workers.py)


def _worker_setup(path: str, report: _Pass, judging: tuple) -> None:
    _WORKER.update(ledger=Ledger.read_only(path), report=report, judging=judging)


def _worker_count(rows: list[dict]) -> _Quarter:
    report = _WORKER["report"]
    q = _Quarter(*report.quarter)
    report.count(q, _WORKER["ledger"], rows, *_WORKER["judging"])
    return q


def _worker_quality() -> dict:
    from grid_cli.checks.summary import quarter_section

    return quarter_section(_WORKER["ledger"], _WORKER["report"].on)


def _as_of(ctx, day: dt.date, steps: list[dict], threshold: int, standing):
    """A household's context as `findings.assess(ledger, on=day)` would read it, from one read as of the
    quarter's last day that reached back to the look-back of its first month end."""
    since, text = day - dt.timedelta(days=LOOKBACK_DAYS), day.isoformat()
    visits = ctx.visits.between(since, day)
    if day == ctx.today:
        return _context(ctx, visits, ctx.monitoring, ctx.threshold, day)
    return _context(ctx, visits, standing([e for e in steps if (e["date"] or "") <= text]), threshold, day)


def _context(ctx: Context, visits: Visits, monitoring, threshold: int | None, day: dt.date) -> Context:
    """ctx with these fields (dataclasses.replace, without its per-call field introspection: 3 per household)."""
    return Context(ctx.household_id, ctx.hh_no, ctx.village, ctx.hh_type, ctx.flags, ctx.members, visits, monitoring,
                   threshold, ctx.thresholds_by_year, day, ctx.prior, ctx.dept)


def _ordered_counts(counter: Counter, order: list[str]) -> dict[str, int]:
    rank = {name: i for i, name in enumerate(order)}
    return {k: counter[k] for k in sorted((k for k in counter if counter[k]), key=lambda k: (rank.get(k, 99), k))}


def _income_pair(ctx, on: dt.date) -> tuple[int, int] | None:
    """A 脱贫户's per-capita net income now (latest visit on or before the day) and a year earlier (the
    latest visit between two years and one year before the day); None without both."""
    if ctx.hh_type != "脱贫户" or not ctx.visits:
        return None
    last_year = on - dt.timedelta(days=PAIR_WINDOW_DAYS)
    earliest = last_year - dt.timedelta(days=PAIR_WINDOW_DAYS)
    before = ctx.visits.between(earliest + dt.timedelta(days=1), last_year)
    return (ctx.visits[-1].per_capita, before[-1].per_capita) if before else None


def _income_growth(pairs: list[tuple[int, int]], on: dt.date, rural: float) -> dict[str, Any]:
    """The average of each side over the households with both, and the growth between them."""
    last_year = on - dt.timedelta(days=PAIR_WINDOW_DAYS)
    out: dict[str, Any] = {"group": "脱贫户", "households_compared": len(pairs), "compared_with": last_year.isoformat(),
                           "per_capita_now": None, "per_capita_last_year": None, "growth": None,
                           "rural_growth": rural, "outgrew": None}
    if pairs:
        now_avg = round(sum(p[0] for p in pairs) / len(pairs))
        then_avg = round(sum(p[1] for p in pairs) / len(pairs))
        out.update(per_capita_now=now_avg, per_capita_last_year=then_avg)
        if then_avg > 0:
            growth = round(now_avg / then_avg - 1, 4)
            out.update(growth=growth, outgrew=growth > rural)
    return out


# -- as tables -----------------------------------------------------------------------------------
def quarter_book(report: dict[str, Any]) -> Book:
    p = report["place"]
    hub = p["level"] != "grid"
    where = " ".join(x for x in (p["county"], p["township"], "" if hub else p["village"],
                                 "" if hub or not p["grid"] else f"网格 {p['grid']}") if x)
    t = report["totals"]
    overview = Table("overview", tr("季度概况", "The quarter"), [tr("项目", "item"), tr("数量", "count")], [
        [tr("在册农户（户）", "households"), t["households"]],
        [tr("在册人口（人）", "people"), t["people"]],
        [tr("监测对象（户，季末，县级审定）", "monitored (quarter end, approved)"), t["monitored"]],
        [tr("  其中拟消除（户）", "  of which elimination proposed"), t["proposed_elimination"]],
        [tr("待审核（户，未计入监测对象）", "pending township review (not counted)"), t["pending_review"]],
        [tr("待审定（户，未计入监测对象）", "pending county approval (not counted)"), t["pending_approval"]],
        [tr("本季纳入（户）", "included this quarter"), t["included"]],
        [tr("本季消除（户）", "eliminated this quarter"), t["eliminated"]],
        [tr("本季退回（件）", "returned this quarter"), t["returned"]],
        [tr("回头看：应 / 已（户）", "follow-ups: due / done"), f"{report['followup']['due']} / {report['followup']['done']}"],
        [tr("建议重新纳入（户）", "re-inclusion suggested"), t["reinclusion_suggested"]],
        [tr("风险户（红+黄）", "flagged (red + yellow)"), t["flagged"]],
        [tr("其中红色（户）", "of which red"), t["red"]],
        [tr("走访逾期（户）", "visits overdue"), t["overdue"]],
    ], note=tr(f"截至 {report['as_of']}；{report['year']}年监测标准 {report['threshold']:,} 元/人/年",
               f"as of {report['as_of']}; {report['year']} threshold {report['threshold']:,} yuan/person/year"))
    month_h = tr("月份", "month")
    trend_changes = Table("trend", tr("月度趋势：纳入与消除", "Monthly trend: inclusions and eliminations"),
                          [month_h, tr("纳入", "included"), tr("消除", "eliminated"), tr("走访户数", "visited"),
                           tr("走访次数", "visits")],
                          [[m["month"], m["included"], m["eliminated"], m["visited"], m["visits"]] for m in report["trend"]],
                          chart=Chart(tr("新纳入与消除", "Inclusions and eliminations"), (1, 2), "bar", tr("户", "households"),
                                      colors=("4472C4", "70AD47")))
    trend_state = Table("trend_state", tr("月度趋势：监测与风险（月末）", "Monthly trend: monitored and flagged (month end)"),
                        [month_h, tr("监测对象", "monitored"), tr("风险户", "flagged"), tr("红色", "red"),
                         tr("走访逾期", "overdue")],
                        [[m["month"], m["monitored"], m["flagged"], m["red"], m["overdue"]] for m in report["trend"]],
                        chart=Chart(tr("监测对象与风险户", "Monitored and flagged"), (1, 2, 4), "line", tr("户", "households")))
    first_sheet = [overview, trend_changes, trend_state]
    sheets = [Sheet(tr("季度概况", "Quarter"), first_sheet, main=False, fit_height=1)]

    def group_table(key: str, title: str, label: str, rows: list[dict]) -> Table:
        head = [label, tr("户数", "households"), tr("人口", "people"), tr("监测对象", "monitored"),
                tr("风险户", "flagged"), tr("红色", "red"), tr("风险户占比", "flagged share"), tr("本季纳入", "included"),
                tr("本季消除", "eliminated"), tr("走访逾期", "overdue")] + (["挂牌预警"] if hub else [])
        body = [[r["name"] or tr("未填", "not given"), r["households"], r["people"], r["monitored"], r["flagged"], r["red"],
                 _pct(r["flagged_share"]), r["included"], r["eliminated"], r["overdue"]]
                + (["挂牌预警" if r["warning"] else ""] if hub else []) for r in rows]
        note = tr(f"挂牌预警：风险户占比超过 {_pct(report['settings']['warning_share']['value'])}",
                  f"挂牌预警: flagged share above {_pct(report['settings']['warning_share']['value'])}") if hub else ""
        return Table(key, title, head, body, note=note,
                     chart=Chart(title, (4, 5), "bar", tr("户", "households"), colors=("FFC000", "C00000")))

    groups = [group_table("by_village", tr("按自然村", "By village"), "自然村", report["by_village"])]
    if "by_grid" in report:
        groups.append(group_table("by_grid", tr("按网格", "By grid"), tr("网格", "grid"), report["by_grid"]))
    if "by_township" in report:
        groups.append(group_table("by_township", tr("按乡镇", "By township"), tr("乡镇", "township"), report["by_township"]))
    sheets.append(Sheet(tr("分村情况", "Places"), groups, main=False, fit_height=1))

    risks = Table("risk_types", tr("风险类型（监测中）", "Risk types (monitored)"), [tr("风险类型", "risk type"), tr("户数", "households")],
                  [[r["risk"], r["households"]] for r in report["risk_types"]],
                  chart=Chart(tr("风险类型", "Risk types"), (1,), "barh", tr("户", "households")),
                  note=tr("一户可有多项风险", "a household may have several risk types"))
    o = report["overdue"]
    overdue = Table("overdue", tr(f"走访逾期 {o['households']} 户（其中八必访 {o['must_visit']} 户）",
                                  f"Visits overdue: {o['households']} households ({o['must_visit']} must-visit)"),
                    ["户编号", "自然村", tr("距上次走访（天）", "days since last visit"), tr("上次走访", "last visit"),
                     tr("八必访", "must visit")],
                    [[r["hh_no"], r["village"] or "", r["days"], r["last_visit"] or tr("从未走访", "never"),
                      tr("是", "yes") if r["must_visit"] else ""] for r in o["list"]])
    f = report["followup"]
    followups = Table("followup", tr(f"回头看：应 {f['due']} 户，已 {f['done']} 户", f"Follow-ups: {f['due']} due, {f['done']} done"),
                      ["户编号", "自然村", tr("消除月份", "eliminated"), tr("本季回头看", "this quarter"),
                       tr("上次回头看", "last follow-up")],
                      [[r["hh_no"], r["village"] or "", r["eliminated"] or "", r["done"] or tr("未做", "not done"),
                        r["last"] or tr("从未", "never")] for r in f["list"]],
                      note=tr("风险消除对象每季度回头看（杜绝一消了之）", "eliminated households are followed up each quarter"))
    sheets.append(Sheet(tr("风险与走访", "Risks and visits"), [risks, overdue, followups], main=False))

    inc = report["income"]
    s = report["settings"]["rural_growth"]
    source = tr("默认值，请按本县数据设置", "default; set your county's figure") if s["source"] == "default" else s["source"]
    income = Table("income", tr("脱贫户人均纯收入增幅与全体农村居民比较", "Per-capita income growth of 脱贫户 against all rural households"),
                   [tr("项目", "item"), tr("数值", "value")], [
                       [tr("比较户数（脱贫户，两年均有走访）", "脱贫户 compared (visited both years)"), inc["households_compared"]],
                       [tr("本期人均纯收入（元）", "per-capita income now (yuan)"), inc["per_capita_now"]],
                       [tr("上年同期人均纯收入（元）", "a year earlier (yuan)"), inc["per_capita_last_year"]],
                       [tr("脱贫户增幅", "growth of 脱贫户"), _pct(inc["growth"]) or tr("无上年数据", "no data for last year")],
                       [tr("全体农村居民增幅", "growth of all rural households") + f"（{source}）", _pct(inc["rural_growth"])],
                       [tr("是否高于全体农村居民", "outgrew all rural households"),
                        "" if inc["outgrew"] is None else tr("是", "yes") if inc["outgrew"] else tr("否", "no")],
                   ], note=tr(f"上年同期：{inc['compared_with']} 及以前一年内的最近一次走访",
                              f"a year earlier: the latest visit in the year up to {inc['compared_with']}"))
    changes = report["changes"]
    change_rows = [[tr("纳入", "included") + " · " + k, v] for k, v in changes["included_by_category"].items()]
    change_rows += [[tr("消除", "eliminated") + " · " + k, v] for k, v in changes["eliminated_by_method"].items()]
    change_table = Table("changes", tr("本季纳入与消除构成", "Inclusions and eliminations by kind"),
                         [tr("项目", "item"), tr("户数", "households")], change_rows,
                         note="" if change_rows else tr("本季无", "none this quarter"))
    sheets.append(Sheet(tr("收入与变动", "Income and changes"), [income, change_table], main=False))
    from grid_cli.checks.summary import quarter_table

    sheets.append(Sheet(tr("数据质量", "Data quality"), [quarter_table(report["data_quality"])], main=False))
    place_name = (p["township"] or p["county"]) if hub else (p["village"] or p["grid"])
    return Book(sheets, page_header=f"{where}  {report['quarter']}  {tr('防止返贫动态监测季度分析', 'quarterly monitoring analysis')}",
                title=tr(f"{place_name}{report['quarter'][:4]}年第{report['quarter'][-1]}季度防止返贫动态监测分析",
                         f"{place_name} {report['quarter']}: quarterly analysis of monitoring against a return to poverty"))


def today_quarter() -> str:
    day = clock_today()
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"
