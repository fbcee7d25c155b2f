"""development_measure_missing: labour and 就业帮扶 passes; labour and only 综合保障 fails."""

from checkkit import flagged, household, included, ledger, measure


def test_development_measure_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", steps=[included("2026-03-01"), measure("就业帮扶")])
    household(led, "F1", steps=[included("2026-03-01"), measure("综合保障", detail="低保")])
    assert flagged(led, "development_measure_missing") == ['F1']
