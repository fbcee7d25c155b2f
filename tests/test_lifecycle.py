"""The monitoring procedure across real ledgers: a grid proposes, the township reviews, the county approves
or returns, and every step travels in sealed bundles. Each owner rule is checked both ways: the wrong level
is refused locally (one line, nothing written), a bundle carrying a step its origin may not take (written
with the project's own Writer, sealed with the sender's real key) is refused whole at merge, and the right
level's step arrives at the grid."""

from __future__ import annotations

import json

import pytest

from conftest import INIT_ARGS, Run, digest, monitored_book, rows_of
from grid_cli.ledger import Ledger


@pytest.fixture
def tree(tmp_path):
    """County C (township T1), township T1 (grid G1), grid G1 with the three households of good_rows(); A001 is
    monitored (imported from the national system's export), A003 is not."""
    from sealing import enrol

    p = {name: tmp_path / f"{name}.db" for name in ("C", "T1", "G1")}
    assert Run(p["C"])("init", "--level", "county", "--county", "C", "--townships", "T1", "--threshold", "7600",
                       "--year", "2026").exit_code == 0
    assert Run(p["T1"])("init", "--level", "township", "--township", "T1", "--county", "C", "--grids", "G1",
                        "--year", "2026").exit_code == 0
    args = [a if a != "桃溪镇" else "T1" for a in INIT_ARGS]
    args = [a if a != "云岭县" else "C" for a in args]
    assert Run(p["G1"])(*args, "--threshold", "7600").exit_code == 0
    ledgers = {n: Ledger.open(path) for n, path in p.items()}
    try:
        enrol(ledgers["T1"], ledgers["G1"])
        enrol(ledgers["C"], ledgers["T1"])
    finally:
        for ledger in ledgers.values():
            ledger.close()
    book = monitored_book(tmp_path / "m.xlsx", {"A001": ["20251105", "因病"]})
    assert Run(p["G1"])("import", "households", book).exit_code == 0
    p["dir"] = tmp_path
    return p


def cli(p, name):
    return Run(p[name])


def send(p, sender, recipient) -> None:
    """Export from `sender` and merge at `recipient` (up to the parent, or down with --for)."""
    out = p["dir"] / f"b{len(list(p['dir'].glob('*.zip')))}.zip"
    down = [] if {"G1": "T1", "T1": "C"}.get(sender) == recipient else ["--for", recipient]
    exported = cli(p, sender)("sync", "export", "--out", out, *down)
    assert exported.exit_code == 0, exported.output
    merged = cli(p, recipient)("sync", "merge", out)
    assert merged.exit_code == 0, merged.output


def up(p):
    send(p, "G1", "T1")
    send(p, "T1", "C")


def down(p):
    send(p, "C", "T1")
    send(p, "T1", "G1")


def case_of(p, name, hh_no):
    rows = json.loads(cli(p, name)("monitor", "list", "--json").output)
    return next((r for r in rows if r["hh_no"] == hh_no), None)


def standing_everywhere(p, hh_no):
    from grid_cli.standing import current

    out = {}
    for name in ("C", "T1", "G1"):
        ledger = Ledger.open(p[name])
        try:
            hid = ledger.query("SELECT id FROM households WHERE hh_no = ?", (hh_no,))[0]["id"]
            out[name] = current(ledger, hid)
        finally:
            ledger.close()
    return out


def propose_inclusion(p):
    """A003 proposed at the grid on 2026-11-01, reviewed by the village on 11-03, notice from 11-04 (to 11-08)."""
    g = cli(p, "G1")
    assert g("monitor", "include", "A003", "--category", "边缘易致贫户", "--risk", "因学", "--identified", "2026-11-01",
             "--village-review", "2026-11-03").exit_code == 0
    noticed = g("monitor", "notice", "A003", "--start", "2026-11-04")
    assert noticed.exit_code == 0 and "5 days from 2026-11-04" in noticed.output


# -- the procedure, end to end ---------------------------------------------------------------------
def test_the_procedure_from_the_grids_proposal_to_the_countys_approval_and_back(tree):
    p = tree
    propose_inclusion(p)
    assert case_of(p, "G1", "A003")["state"] == "待审核"
    up(p)
    t = cli(p, "T1")
    [pending] = json.loads(t("monitor", "pending", "--json").output)
    assert pending["hh_no"] == "A003" and pending["next"] == "township_review" and pending["mine"]
    assert pending["village_review"] == "2026-11-03" and pending["notice_end"] == "2026-11-08"
    before = digest(p["T1"])
    early = t("monitor", "review", "A003", "--date", "2026-11-08")  # the last day of the notice
    assert early.exit_code == 2 and "before the notice period ends (2026-11-04 to 2026-11-08)" in early.output
    assert digest(p["T1"]) == before
    assert t("monitor", "review", "A003", "--date", "2026-11-09").exit_code == 0
    assert case_of(p, "T1", "A003")["state"] == "待审定"
    assert cli(p, "C")("monitor", "approve", "A003").exit_code == 2  # the county has not seen the review yet
    send(p, "T1", "C")
    c = cli(p, "C")
    assert c("monitor", "approve", "A003", "--date", "2026-11-08").exit_code == 2  # before the township's review
    approved = c("monitor", "approve", "A003", "--date", "2026-11-12")
    assert approved.exit_code == 0 and "is monitored" in approved.output
    down(p)
    states = standing_everywhere(p, "A003")
    assert {s.state for s in states.values()} == {"监测中"} and states["C"] == states["T1"] == states["G1"]
    assert [(d["stage"], d["decision"], d["level"], d["date"]) for d in states["G1"].decisions] == [
        ("include", "approve", "county", "2026-11-12")]
    assert states["G1"].monitored and states["G1"].risks == ("因学",)
    shown = json.loads(cli(p, "G1")("household", "show", "A003", "--json").output)
    assert [e["text"] for e in shown["timeline"][:2]] == ["county approval: approved", "township review: passed"]
    assert cli(p, "G1")("monitor", "pending", "--json").output.strip() == "[]"


# -- the wrong level, locally -----------------------------------------------------------------------------
INCLUDE = ["monitor", "include", "A003", "--category", "边缘易致贫户", "--risk", "因学", "--identified", "2026-11-01"]
ELIMINATE = ["monitor", "eliminate", "A001", "--method", "帮扶消除", "--month", "2026-11", "--override", "x"]


@pytest.mark.parametrize("where, args, who", [
    ("G1", ["monitor", "review", "A003"], "recorded by a township ledger (grid monitor review)"),
    ("G1", ["monitor", "approve", "A003"], "recorded by a county ledger (grid monitor approve)"),
    ("G1", ["monitor", "return", "A003", "--reason", "x"], "recorded by a township or county ledger"),
    ("G1", [*INCLUDE, "--county-approval", "2026-11-10"], "recorded by the county ledger (grid monitor approve)"),
    ("G1", [*INCLUDE, "--township-review", "2026-11-10"], "recorded by the township ledger (grid monitor review)"),
    ("G1", [*ELIMINATE, "--county-approval", "2026-11-10"], "recorded by the county ledger"),
    ("T1", INCLUDE, "recorded by a grid ledger (grid monitor include)"),
    ("T1", ["monitor", "village-review", "A003"], "recorded by a grid ledger (grid monitor village-review)"),
    ("T1", ["monitor", "notice", "A003"], "recorded by a grid ledger (grid monitor notice)"),
    ("T1", ["monitor", "approve", "A003"], "recorded by a county ledger"),
    ("T1", ELIMINATE, "recorded by a grid ledger (grid monitor eliminate)"),
    ("C", ["monitor", "review", "A003"], "recorded by a township ledger"),
    ("C", INCLUDE, "recorded by a grid ledger"),
])
def test_a_step_at_the_wrong_level_is_refused_in_one_line(tree, where, args, who):
    p = tree
    propose_inclusion(p)
    up(p)
    before = digest(p[where])
    result = cli(p, where)(*args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and who in lines[0] and "nothing was recorded" in lines[0], result.output
    assert digest(p[where]) == before


# -- a forged step, at merge ----------------------------------------------------------------------------
def _forge(path, kind, hh_no, data, *, date="2026-11-20"):
    """Write a step straight through the ledger's own Writer, as a tampered laptop could."""
    ledger = Ledger.open(path)
    try:
        hid = ledger.query("SELECT id FROM households WHERE hh_no = ?", (hh_no,))[0]["id"]
        case = ledger.query("SELECT id FROM events WHERE household_id = ? AND kind IN ('include', 'eliminate')"
                            " ORDER BY date DESC, hlc DESC LIMIT 1", (hid,))
        with ledger.write() as w:
            w.event(kind, hid, {"case": case[0]["id"] if case else None, **data}, date=date)
    finally:
        ledger.close()


def _refused_whole(p, sender, recipient, words):
    out = p["dir"] / "forged.zip"
    down = [] if {"G1": "T1", "T1": "C"}.get(sender) == recipient else ["--for", recipient]
    assert cli(p, sender)("sync", "export", "--out", out, *down).exit_code == 0
    before = digest(p[recipient])
    result = cli(p, recipient)("sync", "merge", out)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "refused" in lines[0] and words in lines[0], result.output
    assert digest(p[recipient]) == before


@pytest.mark.parametrize("forger, recipient, kind, data, words", [
    ("G1", "T1", "county_approval", {"decision": "approve"}, "county approval (县级审定) recorded by grid G1"),
    ("G1", "T1", "township_review", {"decision": "pass"}, "township review (乡镇审核) recorded by grid G1"),
    ("T1", "G1", "county_approval", {"decision": "approve"}, "recorded by township T1 (only a county ledger"),
    ("T1", "G1", "village_review", {}, "village review (民主评议) recorded by township T1"),
    ("C", "T1", "township_review", {"decision": "pass"}, "recorded by county C (only a township ledger"),
])
def test_a_bundle_carrying_a_step_its_origin_may_not_take_is_refused_whole(tree, forger, recipient, kind, data, words):
    p = tree
    propose_inclusion(p)
    up(p)
    down(p)  # every ledger holds the case
    _forge(p[forger], kind, "A003", data)
    _refused_whole(p, forger, recipient, words)
    assert case_of(p, recipient, "A003")["state"] == "待审核"


def test_a_grid_proposal_carrying_a_county_date_is_refused_whole(tree):
    """The old way a laptop typed an approval: inside the proposal. The grid's CLI no longer writes it; a
    bundle that carries one is refused."""
    p = tree
    ledger = Ledger.open(p["G1"])
    try:
        hid = ledger.query("SELECT id FROM households WHERE hh_no = 'A003'")[0]["id"]
        with ledger.write() as w:
            w.event("include", hid, {"category": "边缘易致贫户", "risks": ["因学"], "identified": "2026-11-01",
                                     "county_approval": "2026-11-15"}, date="2026-11-01")
    finally:
        ledger.close()
    _refused_whole(p, "G1", "T1", "county approval (县级审定) recorded by grid G1")


def test_a_proposal_from_a_hub_is_refused_at_the_grid(tree):
    p = tree
    up(p)
    down(p)
    ledger = Ledger.open(p["T1"])
    try:
        hid = ledger.query("SELECT id FROM households WHERE hh_no = 'A003'")[0]["id"]
        with ledger.write() as w:
            w.event("include", hid, {"category": "边缘易致贫户", "risks": ["因学"], "identified": "2026-11-01"},
                    date="2026-11-01")
    finally:
        ledger.close()
    _refused_whole(p, "T1", "G1", "inclusion proposal recorded by township T1 (only a grid ledger")


# -- elimination: the gate, the override, the county's return ------------------------------------------
def test_an_elimination_that_fails_the_gate_is_refused_with_every_criterion_and_its_numbers(tree):
    p = tree
    g = cli(p, "G1")
    g("visit", "A001", "--date", "2026-10-10", "--wages", "12000")  # 6,000 per person
    before = digest(p["G1"])
    for method in ("帮扶消除", "自然消除"):  # natural elimination goes through the same gate
        result = g("monitor", "eliminate", "A001", "--method", method, "--month", "2026-11")
        assert result.exit_code == 1, result.output
        line = result.output.strip()
        assert len(line.splitlines()) == 1
        assert "3 elimination criteria unmet" in line
        assert "monitored since 2025-11-05" not in line  # that one is met (over six months)
        assert "no visit before 2026-05-22" in line
        assert "no helper (帮扶责任人) assigned" in line and "no assistance measure ever recorded" in line
        assert "--override" in line
    assert digest(p["G1"]) == before
    checked = json.loads(g("monitor", "check", "A001", "--json").output)
    assert {c["criterion"]: c["met"] for c in checked["criteria"]} == {
        "monitored": True, "income": False, "guarantees": True, "helper": False, "measure": False, "labour": True}


def eliminate_with_override(p):
    g = cli(p, "G1")
    result = g("monitor", "eliminate", "A001", "--method", "帮扶消除", "--month", "2026-11", "--override",
               "外出务工收入稳定，镇里已核实", "--village-review", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert "proposed with --override" in result.output
    assert g("monitor", "notice", "A001", "--start", "2026-11-22").exit_code == 0


def test_an_override_is_recorded_audited_and_shown_to_the_township_and_the_county(tree, monkeypatch):
    p = tree
    eliminate_with_override(p)
    [proposal] = [json.loads(r["data"]) for r in rows_of(p["G1"], "SELECT data FROM events WHERE kind = 'eliminate'"
                                                         " AND json_extract(data, '$.source') IS NULL")]
    assert proposal["override"] == "外出务工收入稳定，镇里已核实"
    assert {c["criterion"] for c in proposal["gate"]} == {"income", "helper", "measure"}
    [audit] = rows_of(p["G1"], "SELECT detail FROM audit WHERE action = 'elimination-override'")
    assert audit["detail"] == "A001: 3 criteria unmet"  # the household number only, never the reason or a name
    assert case_of(p, "G1", "A001")["state"] == "拟消除"
    up(p)
    [township] = json.loads(cli(p, "T1")("monitor", "pending", "--json").output)
    assert township["override"] == "外出务工收入稳定，镇里已核实" and township["state"] == "拟消除"
    assert "no helper (帮扶责任人) assigned" in township["unmet_en"]
    shown = cli(p, "T1")("monitor", "pending", lang="zh").output
    assert "强行提出" in shown and "未落实帮扶责任人" in shown
    monkeypatch.setenv("GRID_TODAY", "2026-11-28")  # after the notice period
    assert cli(p, "T1")("monitor", "review", "A001").exit_code == 0
    send(p, "T1", "C")
    [county] = json.loads(cli(p, "C")("monitor", "pending", "--json").output)
    assert county["override"] == "外出务工收入稳定，镇里已核实" and county["next"] == "county_approval" and county["mine"]
    assert len(county["unmet"]) == 3


def test_the_county_returns_an_elimination_and_the_grid_sees_why(tree, monkeypatch):
    p = tree
    eliminate_with_override(p)
    up(p)
    monkeypatch.setenv("GRID_TODAY", "2026-11-28")
    assert cli(p, "T1")("monitor", "review", "A001").exit_code == 0
    send(p, "T1", "C")
    c = cli(p, "C")
    assert c("monitor", "return", "A001").exit_code == 2  # --reason is required
    assert c("monitor", "return", "A001", "--reason", "   ").exit_code == 2
    returned = c("monitor", "return", "A001", "--reason", "收入未持续稳定六个月")
    assert returned.exit_code == 0, returned.output
    down(p)
    states = standing_everywhere(p, "A001")
    assert {s.state for s in states.values()} == {"监测中"}
    assert states["G1"].returned == {"stage": "eliminate", "level": "county", "date": "2026-11-28",
                                     "reason": "收入未持续稳定六个月"}
    row = case_of(p, "G1", "A001")
    assert row["returned"]["reason"] == "收入未持续稳定六个月"
    assert "收入未持续稳定六个月" in cli(p, "G1")("monitor", "list", lang="zh").output
    # and the grid may propose again
    assert cli(p, "G1")("monitor", "eliminate", "A001", "--method", "帮扶消除", "--month", "2026-11", "--override",
                        "再次申请").exit_code == 0


def test_the_township_returns_before_its_review_and_not_after(tree, monkeypatch):
    p = tree
    propose_inclusion(p)
    up(p)
    t = cli(p, "T1")
    assert t("monitor", "return", "A003", "--reason", "材料不全").exit_code == 0
    send(p, "T1", "G1")
    assert case_of(p, "G1", "A003")["state"] == ""  # never included; the reason is shown
    assert case_of(p, "G1", "A003")["returned"]["level"] == "township"


def test_an_approved_elimination_is_risk_eliminated_everywhere(tree, monkeypatch):
    p = tree
    eliminate_with_override(p)
    up(p)
    monkeypatch.setenv("GRID_TODAY", "2026-11-28")
    cli(p, "T1")("monitor", "review", "A001")
    send(p, "T1", "C")
    assert cli(p, "C")("monitor", "approve", "A001").exit_code == 0
    down(p)
    states = standing_everywhere(p, "A001")
    assert {s.state for s in states.values()} == {"风险已消除"} and states["G1"].eliminated_on.isoformat() == "2026-11-28"
    assert states["G1"].eliminated_month == "2026-11"


def test_the_county_confirms_or_returns_an_imported_elimination(tree):
    p = tree
    book = monitored_book(p["dir"] / "e.xlsx", {"A001": ["20251105", "因病", "是", "帮扶消除", "202609"]})
    assert cli(p, "G1")("import", "households", book).exit_code == 0
    up(p)
    [row] = json.loads(cli(p, "C")("monitor", "pending", "--json").output)
    assert row["hh_no"] == "A001" and row["imported"] and row["next"] == "county_approval"
    assert case_of(p, "C", "A001")["state"] == "风险已消除"
    assert cli(p, "C")("monitor", "return", "A001", "--reason", "国家系统无此消除记录").exit_code == 0
    down(p)
    assert {s.state for s in standing_everywhere(p, "A001").values()} == {"监测中"}


# -- the year's rules ---------------------------------------------------------------------------------
def test_rules_show_says_where_each_value_came_from_and_the_county_prevails(tree):
    p = tree
    g, c = cli(p, "G1"), cli(p, "C")
    assert g("rules", "set", "income_fall.share", "0.25").exit_code == 0  # nobody above has set it: local
    shown = json.loads(g("rules", "show", "--json").output)["sources"]
    assert shown["income_fall.share"]["source"] == "local" and shown["water.litres"]["source"] == "default"
    assert c("rules", "set", "income_fall.share", "0.35").exit_code == 0
    assert c("rules", "set", "water.litres", "40").exit_code == 0
    assert g("rules", "set", "water.litres", "30").exit_code == 0  # after the county's, before it arrives
    down(p)
    shown = json.loads(g("rules", "show", "--json").output)
    assert shown["rules"]["income_fall"]["share"] == 0.35  # the county's value, though the grid's was written later
    assert shown["sources"]["income_fall.share"]["source"] == "county" and shown["sources"]["income_fall.share"]["at"]
    assert shown["sources"]["threshold"]["source"] == "county"  # the county's 7600 replaced the one typed at init
    assert g("rules", "set", "rigid_spending.amount", "18000").exit_code == 0  # the county never set this one
    text = g("rules", "show", lang="zh").output
    assert "县级设定" in text and "默认值" in text and "本地设定" in text
    assert shown["rules"]["water"]["litres"] == 40  # the grid's later 30 gives way to the county's 40
    before = digest(p["G1"])
    refused = g("rules", "set", "water.litres", "50")
    assert refused.exit_code == 1 and "set by the county" in refused.output and len(refused.output.strip().splitlines()) == 1
    looser = g("rules", "set", "income_fall.share", "0.4")  # one a grid may only tighten
    assert looser.exit_code == 1 and "may only be made stricter than the county's 0.35" in looser.output
    assert g("rules", "set", "threshold", "7000").exit_code == 1
    assert digest(p["G1"]) == before
    before = digest(p["T1"])
    assert cli(p, "T1")("rules", "set", "water.litres", "50").exit_code == 1  # nor the township
    assert digest(p["T1"]) == before


def test_a_stricter_local_check_where_the_county_allows_it_and_the_hub_sees_it(tree):
    p = tree
    c, g = cli(p, "C"), cli(p, "G1")
    assert c("rules", "set", "visit_overdue.days", "31").exit_code == 0
    assert c("rules", "set", "water.litres", "35").exit_code == 0
    down(p)
    loose = g("rules", "set", "visit_overdue.days", "40")
    assert loose.exit_code == 1 and "may only be made stricter" in loose.output
    tighter = g("rules", "set", "visit_overdue.days", "20")
    assert tighter.exit_code == 0 and "stricter local check" in tighter.output
    shown = json.loads(g("rules", "show", "--json").output)
    assert shown["rules"]["visit_overdue"]["days"] == 20
    assert shown["sources"]["visit_overdue.days"] == {"source": "stricter", "level": "grid",
                                                      "at": shown["sources"]["visit_overdue.days"]["at"],
                                                      "detail": "county: 31"}
    g("visit", "A001", "--date", "2026-10-25", "--wages", "40000")
    due = json.loads(g("due", "--json").output)
    assert [d["facts"]["interval"] for d in due if d["hh_no"] == "A001"] == [20]
    assert g("rules", "set", "water.litres", "40").exit_code == 1  # not one the county lets a grid tighten
    up(p)
    status = json.loads(cli(p, "T1")("sync", "status", "--json").output)
    assert status["local_rules"] == [{"level": "grid", "code": "G1", "year": 2026, "key": "visit_overdue.days",
                                      "value": 20, "here": 31, "stricter": True, "at": status["local_rules"][0]["at"]}]
    text = cli(p, "T1")("sync", "status").output
    assert "Local rule: grid G1 2026 visit_overdue.days = 20 (here 31; stricter local check" in text


def test_the_notice_period_comes_from_the_countys_rules(tree):
    p = tree
    assert cli(p, "C")("rules", "set", "notice.days", "7").exit_code == 0
    down(p)
    g = cli(p, "G1")
    g("monitor", "include", "A003", "--category", "边缘易致贫户", "--risk", "因学", "--identified", "2026-11-01",
      "--village-review", "2026-11-03")
    short = g("monitor", "notice", "A003", "--days", "5")
    assert short.exit_code == 2 and "7 to 90 days" in short.output
    assert "7 days from 2026-11-04" in g("monitor", "notice", "A003", "--start", "2026-11-04").output
    written = g("notice", "--stage", "include", "-H", "A003", "--out", p["dir"] / "n.xlsx", lang="zh")
    assert written.exit_code == 0 and "2026-11-04 至 2026-11-10" in written.output
    up(p)
    assert cli(p, "T1")("monitor", "review", "A003", "--date", "2026-11-10").exit_code == 2
    assert cli(p, "T1")("monitor", "review", "A003", "--date", "2026-11-11").exit_code == 0


# -- small loans ------------------------------------------------------------------------------------------
def test_loan_limits_come_from_the_rules_and_an_extension_is_recordable(tree):
    p = tree
    g = cli(p, "G1")
    big = g("monitor", "measure", "A001", "--kind", "小额信贷", "--amount", "60000", "--start", "2024-01-01")
    assert big.exit_code == 2 and "50,000" in big.output and "grid monitor extend" in big.output
    ok = g("monitor", "measure", "A001", "--kind", "小额信贷", "--amount", "30000", "--start", "2023-12-01",
           "--due", "2026-11-25")
    assert ok.exit_code == 0
    loan = json.loads(g("household", "show", "A001", "--json").output)["monitoring"]["measures"][0]["id"]
    assert json.loads(g("risk", "--rule", "small_loan_due", "--json").output)["households"][0]["findings"][0]["facts"]["days"] == 3
    assert g("monitor", "extend", "A001", loan[-8:], "--due", "2026-11-20", "--kind", "展期").exit_code == 2  # earlier
    assert g("monitor", "extend", "A001", loan[-8:], "--due", "2027-11-25", "--kind", "stretch").exit_code == 2
    extended = g("monitor", "extend", "A001", loan[-8:], "--due", "2027-11-25", "--kind", "展期")  # beyond 3 years
    assert extended.exit_code == 0, extended.output
    assert json.loads(g("risk", "--rule", "small_loan_due", "--json").output)["households"] == []
    assert "small loan 展期: now due 2027-11-25" in g("household", "show", "A001").output
    assert cli(p, "C")("rules", "set", "small_loan_due.max_amount", "80000").exit_code == 0
    down(p)
    assert g("monitor", "measure", "A001", "--kind", "小额信贷", "--amount", "60000").exit_code == 0


# -- the states in the monthly ledger, the quarterly report, the due list (real .xlsx files) ---------------
def through(p, hh_no, review, approve):
    """The township's review and the county's approval of a grid's open case, and the decision back down."""
    up(p)
    assert cli(p, "T1")("monitor", "review", hh_no, "--date", review).exit_code == 0
    send(p, "T1", "C")
    assert cli(p, "C")("monitor", "approve", hh_no, "--date", approve).exit_code == 0
    down(p)


def sheet_rows(path, sheet):
    from openpyxl import load_workbook

    return [list(r) for r in load_workbook(path)[sheet].iter_rows(values_only=True)]


def labelled(rows, label) -> object:
    """The value beside a label in a two-column summary table."""
    return next(r[1] for r in rows if r and r[0] == label)


def test_ledger_report_and_due_count_by_state(tree):
    p = tree
    g = cli(p, "G1")
    # A001 (monitored per the national system) eliminated through the procedure in September
    g("visit", "A001", "--date", "2026-09-01", "--wages", "30000")  # 15,000 per person at the elimination
    assert g("monitor", "eliminate", "A001", "--method", "帮扶消除", "--month", "2026-09", "--date", "2026-09-01",
             "--override", "外出务工收入稳定", "--village-review", "2026-09-02", "--notice", "2026-09-03").exit_code == 0
    through(p, "A001", "2026-09-10", "2026-09-15")
    # A003 proposed, reviewed and approved in November; A002 only proposed (待审核)
    propose_inclusion(p)
    through(p, "A003", "2026-11-10", "2026-11-12")
    assert g("monitor", "include", "A002", "--category", "边缘易致贫户", "--risk", "缺劳动力",
             "--identified", "2026-11-15").exit_code == 0
    assert [case_of(p, "G1", h)["state"] for h in ("A001", "A002", "A003")] == ["风险已消除", "待审核", "监测中"]

    # the monthly ledger: the state of each household, and only approved cases counted as monitored
    assert g("ledger", "--month", "2026-11", "--out", p["dir"] / "l.xlsx").exit_code == 0
    rows = sheet_rows(p["dir"] / "l.xlsx", "台账")
    header = next(r for r in rows if r and r[0] == "序号")
    state = {r[header.index("户编号")]: r[header.index("监测状态")] for r in rows if r and isinstance(r[0], int)}
    assert state == {"A001": "风险已消除", "A002": "待审核", "A003": "监测中"}
    summary = sheet_rows(p["dir"] / "l.xlsx", "汇总")
    assert labelled(summary, "monitored (approved, risk not eliminated)") == 1
    assert labelled(summary, "pending township review (not counted as monitored)") == 1
    assert labelled(summary, "included this month") == 1 and labelled(summary, "eliminated this month") == 0
    assert [r[:6] for r in summary if r and r[0] == "A003"] == [["A003", "郑八", "上寨", "included", "边缘易致贫户", "2026-11-12"]]
    assert g("ledger", "--month", "2026-09", "--out", p["dir"] / "s.xlsx").exit_code == 0
    assert labelled(sheet_rows(p["dir"] / "s.xlsx", "汇总"), "eliminated this month") == 1

    # 回头看: A001, eliminated before the quarter began, is due; the report counts due and done
    due = json.loads(g("due", "--json").output)
    [follow] = [d for d in due if d["rule"] == "followup_due"]
    assert follow["hh_no"] == "A001" and follow["facts"]["period"] == ["2026-10-01", "2026-12-31"]
    # A001 is also overdue for a visit: two reasons, one household in the count
    assert sorted(d["hh_no"] for d in due) == ["A001", "A001", "A002", "A003"]
    assert "3 households due for a visit" in g("due").output
    assert "3 households due for a visit" in g("due", "--list").output
    send(p, "G1", "T1")  # the township's summary by grid counts households too
    hub = cli(p, "T1")("due").output
    assert "3 households due for a visit" in hub and any(line.split()[:2] == ["G1", "3"] for line in hub.splitlines())
    assert g("report", "quarter", "2026Q4", "--out", p["dir"] / "q.xlsx").exit_code == 0
    quarter = sheet_rows(p["dir"] / "q.xlsx", "Quarter")
    assert labelled(quarter, "monitored (quarter end, approved)") == 1
    assert labelled(quarter, "pending township review (not counted)") == 1
    assert labelled(quarter, "included this quarter") == 1 and labelled(quarter, "follow-ups: due / done") == "1 / 0"
    q3 = json.loads(g("report", "quarter", "2026Q3", "--json").output)
    assert q3["totals"]["eliminated"] == 1 and q3["changes"]["eliminated_by_method"] == {"帮扶消除": 1}

    # the follow-up visit: done, and the numbers that suggest re-inclusion (−40% since the elimination)
    assert g("visit", "A001", "--date", "2026-11-20", "--wages", "18000", "--followup").exit_code == 0
    assert not [d for d in json.loads(g("due", "--json").output) if d["rule"] == "followup_due"]
    report = json.loads(g("report", "quarter", "2026Q4", "--json").output)
    assert (report["followup"]["due"], report["followup"]["done"]) == (1, 1)
    assert report["followup"]["list"] == [{"hh_no": "A001", "village": "上寨", "eliminated": "2026-09",
                                           "done": "2026-11-20", "last": "2026-11-20"}]
    assert report["totals"]["reinclusion_suggested"] == 1
    [again] = json.loads(g("risk", "--rule", "eliminated_unstable", "--json").output)["households"]
    [f] = again["findings"]
    assert "fell from 15,000 yuan at elimination (2026-09-01) to 9,000 yuan, down 40% (more than 30%)" in f["message_en"]
    assert "re-inclusion suggested" in f["message_en"]
