"""The findings store and batched assessment.

- Batches: judging the ledger a few households at a time gives exactly the findings of judging it whole,
  and a ledger built from batches of 7 equals one built from one batch.
- The store: a Hypothesis state machine (a township and two grids, enrolled, signed bundles) makes random
  households, members (also moved between households), visits, edits, lifecycle steps and rule changes,
  sends bundles up and down and merges them at random, and at random moments brings a ledger's stored
  findings up to date (`findings.current`, which re-assesses only the households the triggers forgot).
  Each time, and at the end on every ledger, the store must equal a full re-assessment from scratch.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from grid_cli import findings
from grid_cli.clock import new_id
from grid_cli.findings import assess, batches, current, evaluate_batch
from grid_cli.ledger import Ledger
from grid_cli.rules.base import grade_of
from grid_cli.sync import create_hub, export_bundle, merge_bundle
from grid_cli.errors import Replayed
from sealing import enrol
from test_exports_support import open_ledger

TODAY = dt.date(2026, 11, 22)


def as_rows(by_household: dict) -> dict:
    """{household: (grade, [finding as plain JSON])}: facts as the store keeps them (JSON)."""
    return {hid: (grade, [json.loads(json.dumps(f.as_dict(), ensure_ascii=False, sort_keys=True, default=str))
                          for f in found]) for hid, (grade, found) in by_household.items()}


def from_scratch(ledger: Ledger) -> dict:
    result = assess(ledger)  # in memory: never reads the store
    grouped = result.by_household()
    return as_rows({c.household_id: (grade_of(grouped.get(c.household_id, [])), grouped.get(c.household_id, []))
                    for c in result.contexts})


def from_store(ledger: Ledger) -> dict:
    stored = current(ledger)
    ids = [r[0] for r in ledger.conn.execute("SELECT id FROM households WHERE status = '正常'")]
    return as_rows(stored.of(ids))


# -- batches ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 7, 1000])
def test_batched_assessment_gives_exactly_the_whole_ledgers_findings(demo_db, size):  # noqa: F811
    ledger = open_ledger(demo_db)
    try:
        whole = assess(ledger)
        _year, _threshold, configs = findings.configs_on(ledger, whole.on)
        batched = {}
        for batch in batches(ledger, whole.on, size=size, order="h.id DESC"):
            batched.update({hid: (grade_of(fs), fs) for hid, fs in evaluate_batch(batch, configs).items()})
        grouped = whole.by_household()
        expected = {c.household_id: (grade_of(grouped.get(c.household_id, [])), grouped.get(c.household_id, []))
                    for c in whole.contexts}
        assert batched == expected and sum(len(fs) for _g, fs in batched.values()) == len(whole.findings) > 20
    finally:
        ledger.close()


def test_the_store_filled_in_small_batches_equals_a_fresh_assessment(demo_db, monkeypatch):  # noqa: F811
    monkeypatch.setattr(findings, "BATCH", 7)
    ledger = open_ledger(demo_db)
    try:
        assert from_store(ledger) == from_scratch(ledger)
        assert ledger.conn.execute("SELECT count(*) FROM assessed").fetchone()[0] == 60
    finally:
        ledger.close()


@pytest.mark.parametrize("workers", ["0", "2"])
def test_progress_never_passes_its_total_when_another_program_adds_households(demo_db, monkeypatch, workers):  # noqa: F811
    # Households that become active during the pass (another program's write) are judged in it too; the
    # progress bar's total grows with them rather than ending at "60 of 55".
    monkeypatch.setattr(findings, "BATCH", 7)
    monkeypatch.setenv("GRID_WORKERS", workers)
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    ledger = open_ledger(demo_db)
    last = [r[0] for r in ledger.conn.execute("SELECT id FROM households ORDER BY id DESC LIMIT 5")]
    with ledger.conn:
        ledger.conn.execute("UPDATE households SET status = '迁出' WHERE id IN (SELECT value FROM json_each(?))",
                            (json.dumps(last),))
        ledger.conn.execute("DELETE FROM assessed")
    seen = []

    def progress(done: int, total: int) -> None:
        if not seen:
            other = Ledger.open(demo_db)
            with other.conn:
                other.conn.execute("UPDATE households SET status = '正常' WHERE id IN (SELECT value FROM json_each(?))",
                                   (json.dumps(last),))
            other.close()
        seen.append((done, total))

    try:
        current(ledger, progress=progress)
        assert seen[0][1] == 55 and seen[-1] == (60, 60) and all(done <= total for done, total in seen)
        assert from_store(ledger) == from_scratch(ledger)
    finally:
        ledger.close()


def test_a_monthly_ledger_read_in_batches_of_7_equals_one_read_whole(hub_db, monkeypatch):  # noqa: F811
    from grid_cli.exports.monthly import build_monthly
    from grid_cli.i18n import set_lang

    set_lang("zh")
    ledger = open_ledger(hub_db)
    try:
        whole = {t.key: t.rows for t in build_monthly(ledger, "2026-10").book.tables()}
        monkeypatch.setattr(findings, "BATCH", 7)
        small = {t.key: t.rows for t in build_monthly(ledger, "2026-10").book.tables()}
        assert small == whole and len(whole["households"]) == 60
    finally:
        ledger.close()


def test_a_change_forgets_only_that_households_findings(demo_db):  # noqa: F811
    from grid_cli import visits

    ledger = open_ledger(demo_db)
    try:
        stored = current(ledger)
        assert stored.assessed == 60
        hid = ledger.query("SELECT id FROM households WHERE hh_no = '52999903010012'")[0]["id"]
        visits.record(ledger, "52999903010012", {"date": "2026-11-21", "visitor": "x", "income": {"wages": 1000}})
        assert ledger.conn.execute("SELECT count(*) FROM assessed").fetchone()[0] == 59
        assert not ledger.query("SELECT 1 FROM assessed WHERE household_id = ?", (hid,))
        assert current(ledger).assessed == 1  # only the visited household is judged again
        assert from_store(ledger) == from_scratch(ledger)
    finally:
        ledger.close()


def test_a_read_only_ledger_is_judged_into_temporary_tables(demo_db):  # noqa: F811
    import os
    import stat

    ledger = open_ledger(demo_db)
    expected = from_scratch(ledger)
    ledger.close()
    os.chmod(demo_db, stat.S_IRUSR)
    try:
        conn = __import__("sqlite3").connect(f"file:{demo_db}?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = __import__("sqlite3").Row
        ledger = Ledger(demo_db, conn)
        stored = current(ledger)
        assert stored.temporary and from_store(ledger) == expected
        ledger.close()
    finally:
        os.chmod(demo_db, stat.S_IRUSR | stat.S_IWUSR)


# -- the store against random merges ----------------------------------------------------------------
YEAR = 2026
SKILLS = ["普通劳动力", "无劳动力", "技能劳动力", None]
HEALTH = ["健康", "长期慢性病", "患有大病", "残疾"]


class StoreMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="grid-store-prop-"))
        self.ledgers: dict[str, Ledger] = {}
        self.pool: list[tuple[Path, str]] = []
        self.n = 0

    @initialize()
    def build(self):
        self.ledgers["T"] = create_hub(self.dir / "T.db", "township", township="T", county="C", codes=["G0", "G1"],
                                       year=YEAR, year_config={"threshold": 7600})
        for g in ("G0", "G1"):
            ledger = Ledger.create(self.dir / f"{g}.db", {"level": "grid", "grid_code": g, "township": "T",
                                                            "county": "C", "year": YEAR})
            with ledger.write() as w:
                w.set_config(YEAR, {"threshold": 7600})
            self.ledgers[g] = ledger
            enrol(self.ledgers["T"], ledger)
        for ledger in self.ledgers.values():
            ledger.conn.execute("PRAGMA synchronous=OFF")  # test speed only

    def teardown(self):
        try:
            for name in sorted(self.ledgers):
                self.check(name)
        finally:
            for ledger in self.ledgers.values():
                ledger.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def households(self, name: str) -> list[str]:
        return [r[0] for r in self.ledgers[name].conn.execute("SELECT id FROM households ORDER BY id")]

    def check(self, name: str) -> None:
        ledger = self.ledgers[name]
        assert from_store(ledger) == from_scratch(ledger), name

    # -- local work -------------------------------------------------------------------------------
    @rule(g=st.sampled_from(["G0", "G1"]), people=st.integers(1, 4), seed=st.integers(0, 10**6))
    def add_household(self, g, people, seed):
        self.n += 1
        hid = new_id()
        with self.ledgers[g].write() as w:
            w.put("household", hid, {"hh_no": f"{g}{self.n:04d}", "grid": g, "village": "上寨下寨"[seed % 2 * 2:][:2],
                                     "status": "正常", "hh_type": ["脱贫户", "一般农户"][seed % 2],
                                     "flags": ["低保"] if seed % 5 == 0 else []})
            for k in range(people):
                w.put("member", new_id(), {
                    "household_id": hid, "name": f"人{self.n}-{k}", "relation": "户主" if k == 0 else "之子",
                    "status": "正常", "birth_date": f"{1950 + (seed + 17 * k) % 70}-03-0{1 + k}",
                    "labour_skill": SKILLS[(seed + k) % 4], "health": HEALTH[(seed // 3 + k) % 4],
                    "medical_insurance": (seed + k) % 3 != 0, "school_status": "失学辍学" if (seed + k) % 11 == 0 else None})

    @rule(g=st.sampled_from(["G0", "G1"]), h=st.integers(0, 999), wages=st.integers(0, 60000),
          days=st.integers(0, 500), grade=st.sampled_from(["A", "B", "C", None]))
    def visit(self, g, h, wages, days, grade):
        households = self.households(g)
        if households:
            hid = households[h % len(households)]
            date = (TODAY - dt.timedelta(days=days)).isoformat()
            residents = [r[0] for r in self.ledgers[g].conn.execute("SELECT id FROM members WHERE household_id = ?", (hid,))]
            with self.ledgers[g].write() as w:
                w.event("visit", hid, {"date": date, "income": {"wages": wages}, "spending": {"medical": wages // 3},
                                       "residents": residents[: 1 + h % 3], "house_grade": grade}, date=date)

    @rule(r=st.sampled_from(["T", "G0", "G1"]), h=st.integers(0, 999), field=st.sampled_from(["hh_type", "flags", "status"]),
          v=st.integers(0, 2))
    def edit_household(self, r, h, field, v):
        households = self.households(r)
        if households:
            value = {"hh_type": ["脱贫户", "一般农户", None], "flags": [["特困"], [], ["低保"]],
                     "status": ["正常", "正常", "迁出"]}[field][v]
            with self.ledgers[r].write() as w:
                w.put("household", households[h % len(households)], {field: value})

    @rule(g=st.sampled_from(["G0", "G1"]), m=st.integers(0, 999), h=st.integers(0, 999), move=st.booleans())
    def edit_member(self, g, m, h, move):
        """A member's facts change, or the member moves to another household of the grid."""
        ledger = self.ledgers[g]
        members = [r[0] for r in ledger.conn.execute("SELECT m.id FROM members m JOIN households x ON x.id = m.household_id"
                                                     " WHERE x.grid = ? ORDER BY m.id", (g,))]
        households = [r[0] for r in ledger.conn.execute("SELECT id FROM households WHERE grid = ? ORDER BY id", (g,))]
        if members and households:
            change = {"household_id": households[h % len(households)]} if move else \
                {"labour_skill": SKILLS[h % 4], "medical_insurance": h % 2 == 0}
            with ledger.write() as w:
                w.put("member", members[m % len(members)], change)

    @rule(h=st.integers(0, 999), step=st.sampled_from(["include", "measure", "eliminate"]))
    def decision(self, h, step):
        households = self.households("T")
        if households:
            data = {"include": {"category": "边缘易致贫户", "risks": ["因病"], "identified": "2026-03-01"},
                    "measure": {"kind": "金融帮扶", "start": "2026-03-05", "amount": 30000, "due": "2026-11-25"},
                    "eliminate": {"method": "帮扶消除", "month": "2026-10"}}[step]
            date = {"include": "2026-03-01", "measure": "2026-03-05", "eliminate": "2026-10-01"}[step]
            with self.ledgers["T"].write() as w:
                w.event(step, households[h % len(households)], data, date=date)

    @rule(value=st.integers(6000, 12000))
    def rules_change(self, value):
        with self.ledgers["T"].write() as w:
            w.set_config(YEAR, {"threshold": value})

    # -- bundles ----------------------------------------------------------------------------------
    @rule(g=st.sampled_from(["G0", "G1"]), up=st.booleans(), now=st.booleans())
    def send(self, g, up, now):
        sender, recipient = (g, "T") if up else ("T", g)
        path = Path(export_bundle(self.ledgers[sender], self.dir, for_code=None if up else g).path)
        if now:
            self.merge(path, recipient)
        else:
            self.pool.append((path, recipient))

    @rule(i=st.integers(0, 999))
    def deliver(self, i):
        if self.pool:
            self.merge(*self.pool.pop(i % len(self.pool)))

    def merge(self, path: Path, recipient: str) -> None:
        try:
            merge_bundle(self.ledgers[recipient], path)
        except Replayed:
            return
        if self.n % 2:  # now and then the recipient's store is brought up to date right after a merge
            self.check(recipient)

    # -- the store --------------------------------------------------------------------------------
    @rule()
    def refresh(self):
        """Bring every ledger's findings up to date incrementally and compare each with a full re-assessment."""
        for name in sorted(self.ledgers):
            self.check(name)

    @invariant()
    def stored_rows_belong_to_active_households(self):
        for ledger in self.ledgers.values():
            assert not ledger.query("SELECT 1 FROM assessed a JOIN households h ON h.id = a.household_id"
                                    " WHERE h.status != '正常' LIMIT 1")


StoreMachine.TestCase.settings = settings(
    max_examples=50, stateful_step_count=30, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
TestStore = StoreMachine.TestCase
