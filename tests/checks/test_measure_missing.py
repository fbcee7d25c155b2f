"""measure_missing: a measure in place, or included days ago, passes; months without one fails."""

from checkkit import flagged, household, included, ledger, measure


def test_measure_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", steps=[included("2026-08-01"), measure("产业帮扶", "2026-08-10")])
    household(led, "P2", steps=[included("2026-11-10")])
    household(led, "F1", steps=[included("2026-08-01")])
    assert flagged(led, "measure_missing") == ['F1']
