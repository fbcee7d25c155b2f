"""Trust at the boundary (issue 11): no ledger can speak for another, get past a revocation, forge a base
version, or jam the sync. Each attack is built with the project's own writer and the sender's real keys
(tests/sealing.py), is refused whole with one line and exit 1, leaves the ledger unchanged, and the genuine
sender's next bundle still merges."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sealing import canonical_line
from synckit import export, grid, merge, refused, rewrite, state

from grid_cli.clock import format_hlc, new_id, wall_ms
from grid_cli.ledger import Ledger
from grid_cli.sync import export_bundle


def _q(path, sql, params=()):
    ledger = Ledger.open(Path(path))
    try:
        return ledger.query(sql, params)
    finally:
        ledger.close()


def _replica(p, name) -> str:
    return _q(p[name], "SELECT json_extract(value, '$') AS r FROM meta WHERE key = 'replica_id'")[0]["r"]


def _last_line(p, holder, origin) -> tuple[int, str]:
    """(seq, chain hash) of an origin's last change held at `holder`."""
    from grid_cli.ledger.changes import head

    ledger = Ledger.open(Path(p[holder]))
    try:
        return head(ledger.conn, origin)
    finally:
        ledger.close()


def _household(p, name, hh_no) -> str:
    return _q(p[name], "SELECT id FROM households WHERE hh_no = ?", (hh_no,))[0]["id"]


def _visit(p, name, hh, wages=1000, date="2026-03-01"):
    grid(p["dir"], "--ledger", p[name], "visit", hh, "--yes", "--date", date, "--wages", str(wages))


def _forged_line(origin: str, seq: int, prev: str, household: str) -> str:
    return canonical_line({"origin": origin, "seq": seq, "hlc": format_hlc(wall_ms(), 0), "entity": "event",
                           "id": new_id(), "body": {"op": "event", "kind": "visit", "household": household,
                                                    "date": "2026-03-01", "data": {"note": "forged"}}, "prev": prev})


# -- 1. nobody speaks for another origin -----------------------------------------------------------------
def _speak_for(p, target: str, holder: str):
    """G2 (its own valid key) sends one change under `target`'s replica, next seq, correctly chained."""
    origin = _replica(p, target)
    seq, prev = _last_line(p, holder, origin)
    household = _household(p, holder, "G100")
    line = _forged_line(origin, seq + 1, prev, household)
    place = {"G1": {"level": "grid", "code": "G1", "parent": "T1"}, "C": {"level": "county", "code": "C", "parent": None},
             "T1": {"level": "township", "code": "T1", "parent": "C"}}[target]

    def declare(m):
        m["origins"][origin] = place
        m["ranges"][origin] = [[seq + 1, seq + 1]]
        m["counts"][origin] = 1
        m["chain"][origin] = {"start": 0, "head": [seq + 1, "0" * 64, "0" * 128], "blocks": []}

    return rewrite(export(p, "G2"), p["dir"] / f"as-{target}.zip", lines=lambda ls: [*ls, line], manifest=declare,
                   p=p, sender="G2")


def test_a_grid_cannot_speak_for_another_grid_or_the_county(tree):
    p = tree
    merge(p, "T1", export(p, "G1"), export(p, "G2"))
    merge(p, "C", export(p, "T1"))
    merge(p, "T1", export(p, "C", "--for", "T1"))
    for target, holder in (("G1", "T1"), ("C", "T1"), ("T1", "T1")):
        grid(p["dir"], "--ledger", p["G2"], "household", "add", "--hh-no", f"G2{target}", "--head", "新户")
        refused(p, "T1", _speak_for(p, target, holder), ["may carry only its own area"])
    # the genuine senders' next bundles still merge, the county's rules included
    _visit(p, "G1", "G100")
    merge(p, "T1", export(p, "G1"))
    grid(p["dir"], "--ledger", p["C"], "rules", "set", "threshold", "7800")
    merge(p, "T1", export(p, "C", "--for", "T1"))
    merge(p, "T1", export(p, "G2"))
    assert _q(p["T1"], "SELECT value FROM config WHERE key = 'threshold'")[0]["value"] == "7800"


def test_a_change_under_another_origin_not_declared_is_refused(tree):
    p = tree
    merge(p, "T1", export(p, "G1"), export(p, "G2"))
    origin = _replica(p, "G1")
    seq, prev = _last_line(p, "T1", origin)
    line = _forged_line(origin, seq + 1, prev, _household(p, "T1", "G100"))
    forged = rewrite(export(p, "G2"), p["dir"] / "undeclared.zip", lines=lambda ls: [*ls, line], p=p, sender="G2")
    refused(p, "T1", forged, ["does not declare"])
    _visit(p, "G1", "G100")
    merge(p, "T1", export(p, "G1"))


def test_a_township_cannot_alter_or_add_a_grids_change_it_relays(tree):
    """The township holds a valid key and relays G1's visits to the county; it cannot forge one."""
    p = tree
    merge(p, "T1", export(p, "G1"))
    merge(p, "C", export(p, "T1"))
    _visit(p, "G1", "G100", wages=1000)
    merge(p, "T1", export(p, "G1"))
    relayed = export(p, "T1")
    g1 = _replica(p, "G1")

    def alter(lines):
        return [line.replace('"wages":1000', '"wages":99000') if f'"origin":"{g1}"' in line else line for line in lines]

    refused(p, "C", rewrite(relayed, p["dir"] / "altered.zip", lines=alter, p=p, sender="T1", recipient="C"),
            ["do not match its signed head"])
    seq, prev = _last_line(p, "T1", g1)
    extra = _forged_line(g1, seq + 1, prev, _household(p, "T1", "G101"))

    def widen(m):
        m["ranges"][g1][-1][1] = seq + 1
        m["counts"][g1] += 1

    refused(p, "C", rewrite(relayed, p["dir"] / "added.zip", lines=lambda ls: [*ls, extra], manifest=widen, p=p,
                            sender="T1", recipient="C"), ["do not match its signed head", "ranges do not match"])
    merge(p, "C", relayed)  # the genuine relay
    assert _q(p["C"], "SELECT count(*) AS n FROM events WHERE kind = 'visit'")[0]["n"] == 1


# -- 2. revocation by sequence ---------------------------------------------------------------------------
def _s_of(bundle: Path) -> int:
    return int(bundle.name.split("-s")[-1].split("-")[0])


def test_revocation_is_by_sequence_and_a_backdated_bundle_is_refused(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    _visit(p, "G1", "G100")
    folder = p["dir"] / "usb"
    grid(p["dir"], "--ledger", p["G1"], "sync", "export", "--out", str(folder))
    [in_flight] = folder.glob("*.zip")  # on the stick when the laptop is lost; its name states the last change
    last = _s_of(in_flight)
    out = grid(p["dir"], "--ledger", p["T1"], "trust", "revoke", "G1", "--upto", str(last)).output
    assert f"up to no. {last}" in out
    # the thief makes a change and backdates the bundle to before the revocation: refused whatever its time
    _visit(p, "G1", "G101", date="2026-03-02")
    ledger = Ledger.open(Path(p["G1"]))
    try:
        backdated = Path(export_bundle(ledger, p["dir"] / "thief.zip", now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)).path)
    finally:
        ledger.close()
    line = refused(p, "T1", backdated, ["revoked"])
    assert f"up to its change {last}" in line
    merge(p, "T1", in_flight)  # up to the stated cut-off: taken
    status = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "status", "--json").output)
    assert [(k["code"], k["revoked_upto"]) for k in status["revoked"]] == [("G1", last)]
    # staff inspect the refused bundle and admit it (audited, shown in sync status)
    result = grid(p["dir"], "--ledger", p["T1"], "trust", "admit", str(backdated), "--reason", "核实：丢失前最后一次走访")
    assert "admitted" in result.output
    status = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "status", "--json").output)
    assert status["admissions"][0]["reason"] == "核实：丢失前最后一次走访" and status["admissions"][0]["code"] == "G1"
    assert status["revoked"][0]["revoked_upto"] == last + 1
    assert "trust-admit" in {r["action"] for r in _q(p["T1"], "SELECT action FROM audit")}
    shown = grid(p["dir"], "--ledger", p["T1"], "sync", "status").output
    assert "Admitted: grid G1 up to no." in shown and "核实" in shown
    # the county learns the revocation and its cut-off from the township, and takes the admitted changes
    merge(p, "C", export(p, "T1"))
    keys = json.loads(grid(p["dir"], "--ledger", p["C"], "trust", "list", "--json").output)
    [g1] = [k for k in keys if k["code"] == "G1"]
    assert g1["via"] == _replica(p, "T1") and g1["revoked_upto"] == last + 1
    assert _q(p["C"], "SELECT count(*) AS n FROM events WHERE kind = 'visit'")[0]["n"] == 2


def test_without_the_monitors_number_the_cut_off_is_what_the_township_holds(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    held = _q(p["T1"], "SELECT max(hi) AS n FROM seq_ranges WHERE kind = 'have' AND origin = ?", (_replica(p, "G1"),))[0]["n"]
    _visit(p, "G1", "G100")
    later = export(p, "G1")
    grid(p["dir"], "--ledger", p["T1"], "trust", "revoke", "G1", "--at", "2026-01-05 15:29")
    refused(p, "T1", later, [f"up to its change {held}"])


# -- 3. conflicts: causal, equal everywhere, not closed by a forged base ------------------------------
def _conflicts(p, name, *extra):
    return json.loads(grid(p["dir"], "--ledger", p[name], "sync", "conflicts", "--json", *extra).output)


def _edit(p, name, value, hh="G100"):
    grid(p["dir"], "--ledger", p[name], "household", "edit", hh, "--set", f"家庭住址={value}")


def _both_hold_g100(p):
    merge(p, "T1", export(p, "G1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))


def test_the_minimal_case_gives_one_open_conflict_at_both_ledgers(tree):
    """Grid sets 家庭住址=x; township sets y, then y2; exchange: both end at y2 with one open conflict, x lost
    to y2 (y was replaced by its own author: never open)."""
    p = tree
    _both_hold_g100(p)
    _edit(p, "G1", "x")
    _edit(p, "T1", "y")
    _edit(p, "T1", "y2")
    merge(p, "T1", export(p, "G1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    for name in ("T1", "G1"):
        rows = _conflicts(p, name)
        assert [(r["field"], r["lost_value"], r["kept_value"], r["hh_no"], r["head_name"]) for r in rows] == \
            [("address", "x", "y2", "G100", "户主0")], name
    assert {r["lost_version"] for r in _conflicts(p, "T1")} == {r["lost_version"] for r in _conflicts(p, "G1")}
    merge(p, "C", export(p, "T1"))  # the county derives the same one
    assert [(r["lost_value"], r["kept_value"]) for r in _conflicts(p, "C")] == [("x", "y2")]


def test_a_value_replaced_by_its_own_author_is_never_open(tree):
    p = tree
    _both_hold_g100(p)
    _edit(p, "T1", "y")
    _edit(p, "G1", "x1")
    _edit(p, "G1", "x2")  # the grid replaces its own x1
    merge(p, "T1", export(p, "G1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    for name in ("T1", "G1"):
        assert [(r["lost_value"], r["kept_value"]) for r in _conflicts(p, name)] == [("y", "x2")], name
    # a pick is a new change that had both: it settles the conflict on the other ledger too
    grid(p["dir"], "--ledger", p["G1"], "sync", "conflicts", "--pick", str(_conflicts(p, "G1")[0]["id"]), "lost")
    merge(p, "T1", export(p, "G1"))
    assert _conflicts(p, "T1") == [] and _conflicts(p, "G1") == []
    assert _q(p["T1"], "SELECT address FROM households WHERE hh_no = 'G100'") == [{"address": "y"}]


def test_a_forged_base_cannot_close_a_conflict(tree):
    """The grid writes claiming to have seen the township's newest value (a version that does not exist, or
    one later than its own write): the township's open conflict stays open, at both ledgers."""
    p = tree
    _both_hold_g100(p)
    _edit(p, "G1", "x")
    _edit(p, "T1", "y")
    merge(p, "T1", export(p, "G1"))
    [open_before] = _conflicts(p, "T1")
    t1 = _replica(p, "T1")
    ledger = Ledger.open(Path(p["G1"]))
    try:
        hid = ledger.query("SELECT id FROM households WHERE hh_no = 'G100'")[0]["id"]
        with ledger.write() as w:  # a base far in the future, and one naming a version that never existed
            w.put("household", hid, {"address": "x3"}, base={"address": f"9999999999999.99999 {t1}"})
            w.put("household", hid, {"phone": "13900000009"}, base={"phone": [f"{open_before['kept_version'][:19]} {t1}x"]})
    finally:
        ledger.close()
    merge(p, "T1", export(p, "G1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    for name in ("T1", "G1"):
        rows = {r["lost_version"]: r for r in _conflicts(p, name)}
        assert open_before["lost_version"] in rows, name  # x lost to y: still open
    assert {r["lost_version"] for r in _conflicts(p, "T1")} == {r["lost_version"] for r in _conflicts(p, "G1")}


# -- 4. records at a hub belong to a grid; a jammed ledger is repaired ---------------------------------
def test_a_household_added_at_a_hub_must_name_a_grid_in_its_area(tree):
    p = tree
    d = p["dir"]
    before = state(p, "T1")
    for extra, words in (((), "--grid"), (("--grid", "G9"), "not within")):
        result = grid(d, "--ledger", p["T1"], "household", "add", "--hh-no", "T9001", "--head", "乡镇录入", *extra, ok=False)
        assert result.exit_code == 2 and words in result.output and len(result.output.strip().splitlines()) == 1
    assert state(p, "T1") == before
    grid(d, "--ledger", p["T1"], "household", "add", "--hh-no", "T9001", "--head", "乡镇录入", "--grid", "G1")
    merge(p, "C", export(p, "T1"))
    merge(p, "G1", export(p, "T1", "--for", "G1"))
    assert _q(p["G1"], "SELECT grid FROM households WHERE hh_no = 'T9001'") == [{"grid": "G1"}]
    result = grid(d, "--ledger", p["C"], "household", "add", "--hh-no", "C9001", "--head", "县里录入", "--grid", "G2")
    assert result.exit_code == 0


def test_a_ledger_jammed_by_a_household_without_grid_is_repaired(tree):
    """Before grids were required at hubs, a household added at a township had none, and every township ->
    county bundle was refused from then on. `grid sync repair` lists it and places it."""
    p = tree
    d = p["dir"]
    ledger = Ledger.open(Path(p["T1"]))
    try:
        with ledger.write() as w:  # what `household add` at a township used to write
            w.put("household", new_id(), {"hh_no": "T9002", "grid": None, "status": "正常", "hh_type": "一般农户"})
    finally:
        ledger.close()
    merge(p, "T1", export(p, "G1"))
    jammed = export(p, "T1")
    refused(p, "C", jammed, ["belongs to no grid"])
    listed = grid(d, "--ledger", p["T1"], "sync", "repair", ok=False)
    assert listed.exit_code == 1 and "T9002" in listed.output and "no grid" in listed.output
    grid(d, "--ledger", p["T1"], "sync", "repair", "T9002", "--grid", "G2")
    assert grid(d, "--ledger", p["T1"], "sync", "repair").exit_code == 0
    merge(p, "C", export(p, "T1"))  # the visits it relays come through again
    assert _q(p["C"], "SELECT grid FROM households WHERE hh_no = 'T9002'") == [{"grid": "G2"}]
    assert _q(p["C"], "SELECT count(*) AS n FROM households WHERE grid = 'G1'")[0]["n"] == 3


# -- 5. the same household in two grids; events name a household -------------------------------------
def test_the_same_household_number_or_id_in_two_grids_is_listed_for_review(tree):
    from conftest import make_id

    p = tree
    d = p["dir"]
    number = make_id("19800101", 31)
    for g in ("G1", "G2"):
        grid(d, "--ledger", p[g], "household", "add", "--hh-no", "DUP1", "--head", f"{g}户主", "--head-id", number)
    merge(p, "T1", export(p, "G1"), export(p, "G2"))
    merge(p, "C", export(p, "T1"))
    for name in ("T1", "C"):
        result = grid(d, "--ledger", p[name], "sync", "duplicates", ok=False)
        assert result.exit_code == 1
        rows = json.loads(grid(d, "--ledger", p[name], "sync", "duplicates", "--json", ok=False).output)
        assert sorted((r["kind"], tuple(sorted(h["grid"] for h in r["households"]))) for r in rows) == \
            [("hh_no", ("G1", "G2")), ("id_number", ("G1", "G2"))]
        assert number not in result.output  # masked
    shown = grid(d, "--ledger", p["T1"], "household", "show", "DUP1", ok=False)
    assert shown.exit_code == 2 and "grid sync duplicates" in shown.output


def test_an_event_that_names_no_household_held_or_brought_is_refused(tree):
    p = tree
    merge(p, "T1", export(p, "G1"))
    g1 = _replica(p, "G1")
    seq, prev = _last_line(p, "G1", g1)
    for n, household in enumerate((None, new_id())):
        line = canonical_line({"origin": g1, "seq": seq + 1, "hlc": format_hlc(wall_ms(), 0), "entity": "event",
                               "id": new_id(), "body": {"op": "event", "kind": "visit", "household": household,
                                                        "date": "2026-03-01", "data": {}}, "prev": prev})

        def widen(m):
            m["ranges"][g1] = [[seq + 1, seq + 1]]
            m["counts"][g1] = 1

        forged = rewrite(export(p, "G1"), p["dir"] / f"ev{n}.zip", lines=lambda ls: [line], manifest=widen, p=p)
        refused(p, "T1", forged, ["cannot be read", "does not hold"])
    _visit(p, "G1", "G100")
    merge(p, "T1", export(p, "G1"))


# -- 6. quarantine you can release --------------------------------------------------------------------
def _skewed(p, hours: float) -> Path:
    """G1's next bundle with a visit stamped `hours` ahead: G1's laptop clock ran fast when it was recorded."""
    ledger = Ledger.open(Path(p["G1"]))
    try:
        with ledger.write() as w:
            w.set_meta("hlc", format_hlc(wall_ms() + int(hours * 3600 * 1000), 0))
    finally:
        ledger.close()
    _visit(p, "G1", "G100")
    return export(p, "G1")


def test_quarantined_changes_are_listed_and_released_by_staff(tree):
    p = tree
    d = p["dir"]
    merge(p, "T1", export(p, "G1"))
    merge(p, "T1", _skewed(p, 30))
    rows = json.loads(grid(d, "--ledger", p["T1"], "sync", "quarantine", "--json").output)
    assert len(rows) == 1 and rows[0]["reason"] == "clock far in the future" and rows[0]["releasable"]
    assert "clock far in" in grid(d, "--ledger", p["T1"], "sync", "quarantine").output
    assert _q(p["T1"], "SELECT count(*) AS n FROM events")[0]["n"] == 0
    grid(d, "--ledger", p["T1"], "sync", "quarantine", "--release", str(rows[0]["id"]))
    assert _q(p["T1"], "SELECT count(*) AS n FROM events")[0]["n"] == 1
    assert json.loads(grid(d, "--ledger", p["T1"], "sync", "quarantine", "--json").output) == []
    assert "quarantine-release" in {r["action"] for r in _q(p["T1"], "SELECT action FROM audit")}
    merge(p, "C", export(p, "T1"))  # it travels on, and the county judges its clock for itself
    assert _q(p["C"], "SELECT count(*) AS n FROM quarantine WHERE status = 'held'")[0]["n"] == 1
    grid(d, "--ledger", p["C"], "sync", "quarantine", "--all")
    assert _q(p["C"], "SELECT count(*) AS n FROM events")[0]["n"] == 1


def test_a_later_merge_with_sane_clocks_releases_by_itself(tree):
    from grid_cli.sync import merge_bundle

    p = tree
    merge(p, "T1", export(p, "G1"))
    skewed = _skewed(p, 30)
    ledger = Ledger.open(Path(p["T1"]))
    try:
        assert merge_bundle(ledger, skewed).quarantined == 1
        _visit(p, "G1", "G101")
        later = export(p, "G1")
        result = merge_bundle(ledger, later, now_ms=wall_ms() + 10 * 3600 * 1000)  # ten hours on: within 24 h
        assert result.released == 1
        assert ledger.query("SELECT count(*) AS n FROM events")[0]["n"] == 2
        assert ledger.query("SELECT status FROM quarantine") == [{"status": "released"}]
    finally:
        ledger.close()


def test_skew_hours_are_bounded(tree):
    p = tree
    b = export(p, "G1")
    before = state(p, "T1")
    for value in ("inf", "nan", "1e308", "0", "721", "-5"):
        result = grid(p["dir"], "--ledger", p["T1"], "sync", "merge", str(b), "--max-skew-hours", value, ok=False)
        assert result.exit_code == 2 and "between 1 and 720" in result.output, (value, result.output)
        assert len(result.output.strip().splitlines()) == 1
    assert state(p, "T1") == before
    merge(p, "T1", b)
