"""How the rules read a household's visits: `model.Visits` decodes a stored visit only when a rule reads
it, picks visits by date without decoding them, and skips a stored body that cannot hold a field. Each
shortcut is checked against the plain definition it replaces, on random visits."""

from __future__ import annotations

import datetime as dt
import gc
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grid_cli import findings
from grid_cli.errors import DataError
from grid_cli.ledger import Ledger
from grid_cli.model import Visit, Visits, one_year_before
from grid_cli.rules import income_fall
from conftest import Run, digest
from rulekit import ctx

DAY0 = dt.date(2025, 1, 1)


def stored(rows: list[tuple]) -> tuple[list[str], Visits]:
    """Visits over stored rows whose decoder notes each visit it decodes."""
    decoded: list[str] = []

    def decode(row):
        decoded.append(row[1])
        return findings._decode_visit(row)

    return decoded, Visits([dt.date.fromisoformat(row[2]) for row in rows], list(rows), decode, findings._lacks)


def row(n: int, day: dt.date, data: dict) -> tuple:
    """A visit as the ledger's read gives it: (household_id, event_id, date, body, hlc)."""
    body = json.dumps({"data": data, "kind": "visit", "op": "event"}, ensure_ascii=False)
    return ("h1", f"v{n}", day.isoformat(), body, f"{n:05d}")


def test_a_visit_is_decoded_when_first_read_and_only_once():
    days = [dt.date(2026, month, 10) for month in range(1, 7)]
    decoded, visits = stored([row(n, day, {"residents": [1]}) for n, day in enumerate(days)])
    assert len(visits) == 6 and decoded == []
    assert visits[-1].id == "v5" and decoded == ["v5"]
    spring = visits.between(dt.date(2026, 3, 10), dt.date(2026, 4, 10))  # both ends included
    assert [v.id for v in spring] == ["v2", "v3"]
    assert [v.id for v in visits.since(dt.date(2026, 5, 11))] == ["v5"]
    assert [v.id for v in visits.until(dt.date(2026, 2, 9))] == ["v0"]
    assert decoded == ["v5", "v2", "v3", "v0"]  # the views share what is decoded: v5 once
    assert spring[0] is visits[2] and visits[1:3] == (visits[1], visits[2])
    assert [v.id for v in reversed(visits)] == ["v5", "v4", "v3", "v2", "v1", "v0"]


def test_the_latest_water_record_is_found_without_decoding_visits_that_have_none():
    days = [DAY0 + dt.timedelta(days=30 * n) for n in range(5)]
    data = [{"residents": [1]}, {"water": {"piped": True}}, {"note": "水"}, {"house_grade": "B"}, {"residents": [1, 2]}]
    decoded, visits = stored([row(n, day, d) for n, (day, d) in enumerate(zip(days, data))])
    assert visits.latest("water").id == "v1"
    assert decoded == ["v1"]  # v4, v3, v2 hold no "water" key: skipped undecoded
    assert visits.latest("house_grade").id == "v3" and visits.latest("followup") is None


# -- the shortcuts against the plain definitions, on random visits ----------------------------------------
FIELDS = st.fixed_dictionaries({}, optional={
    "water": st.sampled_from([{}, {"piped": True}, {"litres_per_person_day": 30}]),
    "house_grade": st.sampled_from([None, "", "A", "C"]),
    "followup": st.booleans(),
    "note": st.sampled_from(['"water"', 'house_grade', '\\"followup\\"', "走访正常", ""]),
    "income": st.fixed_dictionaries({"wages": st.integers(0, 90000)}),
    "residents": st.lists(st.integers(0, 5), max_size=4),
})
SPELLINGS = st.sampled_from([
    lambda body: json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")),  # canonical
    lambda body: json.dumps(body),  # spaces, \u escapes of Chinese
    lambda body: json.dumps(body).replace('"water"', '"\\u0077ater"').replace('"followup"', '"\\u0066ollowup"'),
])
VISITS = st.lists(st.tuples(st.integers(0, 800), FIELDS), max_size=12).map(
    lambda drawn: sorted(((DAY0 + dt.timedelta(days=d), data) for d, data in drawn), key=lambda v: v[0]))


def spelled(visits: list, spell) -> list[tuple]:
    return [("h1", f"v{n}", day.isoformat(), spell({"data": data}), f"{n:05d}") for n, (day, data) in enumerate(visits)]


@given(VISITS, SPELLINGS, st.sampled_from(["water", "house_grade", "followup"]))
def test_lacks_never_skips_a_visit_that_holds_the_field(visits, spell, name):
    for r in spelled(visits, spell):
        if findings._lacks(r, name):
            assert not getattr(findings._decode_visit(r), name)


def picks(visits, plain: list, first: dt.date, last: dt.date) -> None:
    """Each way of picking from `visits` against the plain filter of `plain` (the same visits, decoded)."""
    assert list(visits.between(first, last)) == [v for v in plain if first <= v.date <= last]
    assert list(visits.since(first)) == [v for v in plain if v.date >= first]
    assert list(visits.until(last)) == [v for v in plain if v.date <= last]
    assert visits[1:-1] == tuple(plain[1:-1]) and visits[::2] == tuple(plain[::2])
    for name in ("water", "house_grade", "followup", "property_income", "residents"):
        assert visits.latest(name) == next((v for v in reversed(plain) if getattr(v, name)), None)


@given(VISITS, SPELLINGS, st.integers(-5, 810), st.integers(0, 400))
def test_picking_by_date_and_latest_are_the_plain_filters(visits, spell, start, length):
    rows = spelled(visits, spell)
    plain = [findings._decode_visit(r) for r in rows]
    _, lazy = stored(rows)
    first = DAY0 + dt.timedelta(days=start)
    last = first + dt.timedelta(days=length)
    picks(lazy, plain, first, last)
    # a view of a view (the quarterly report's month ends read the quarter's visits so)
    middle = lazy.between(DAY0 + dt.timedelta(days=100), DAY0 + dt.timedelta(days=700))
    picks(middle, [v for v in plain if middle.dates and middle.dates[0] <= v.date <= middle.dates[-1]], first, last)


def baselines_as_written_first(visits: tuple[Visit, ...]) -> list[Visit]:
    """income_fall's baselines before the rule read visits by date (the definition in its docstring)."""
    latest, earlier = visits[-1], visits[:-1]
    year_ago = one_year_before(latest.date)
    older = [v for v in earlier if v.date <= year_ago]
    within = [v for v in earlier if v.date > year_ago]
    return [earlier[-1]] + ([older[-1]] if older else within[:1])


@given(VISITS.filter(lambda v: len(v) >= 2), SPELLINGS)
def test_income_fall_compares_the_same_visits_as_its_definition(visits, spell):
    _, lazy = stored(spelled(visits, spell))
    plain = tuple(lazy)
    assert income_fall._baselines(ctx(visits=lazy)) == baselines_as_written_first(plain)


def test_visits_of_one_day_are_in_the_order_they_were_recorded():
    # SQL gives each household's visits in date order only; a visit merged late from another laptop can come
    # first among those of its day, and its hlc puts it back in place.
    day = "2026-10-01"
    rows = [("h1", "b", day, "{}", "1760000000002.00000 G2"),
            ("h1", "a", day, "{}", "1760000000001.00000 G1"),
            ("h1", "c", "2026-10-02", "{}", "1760000000000.00000 G3"),
            ("h2", "d", day, "{}", "1760000000005.00000 G1")]
    grouped = dict(findings._by_household(rows))
    assert [r[1] for r in grouped["h1"]] == ["a", "b", "c"] and [r[1] for r in grouped["h2"]] == ["d"]


def test_a_visit_the_ledger_cannot_read_stops_the_assessment_with_a_one_line_error(demo_db):
    # Not a rule's fault: no "rule failed" finding is stored for it, the command says what to do (exit 3),
    # and the collector paused for the batch runs again.
    ledger = Ledger.open(demo_db)
    seq = ledger.conn.execute("SELECT change_seq FROM event_index WHERE kind = 'visit' ORDER BY date DESC"
                              " LIMIT 1").fetchone()[0]
    with ledger.conn:
        ledger.conn.execute("UPDATE changes SET body = '{\"data\": 5}' WHERE seq = ?", (seq,))
        ledger.conn.execute("DELETE FROM assessed")
    with pytest.raises(DataError):
        findings.current(ledger)
    assert gc.isenabled()
    assert ledger.conn.execute("SELECT count(*) FROM findings WHERE facts LIKE '%error%'").fetchone()[0] == 0
    ledger.close()
    before = digest(demo_db)
    result = Run(demo_db)("risk")
    assert result.exit_code == 3 and "cannot be read" in result.output and "Traceback" not in result.output
    assert digest(demo_db) == before
