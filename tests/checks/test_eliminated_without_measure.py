"""eliminated_without_measure: 帮扶消除 after a measure passes; with none ever fails."""

from checkkit import flagged, household, included, ledger, measure


def test_eliminated_without_measure(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", steps=[included("2025-01-05"), measure("产业帮扶", "2025-02-01"),
                                ("eliminate", "2026-08-01", {"method": "帮扶消除", "month": "2026-08"})])
    household(led, "F1", steps=[included("2025-01-05"), ("eliminate", "2026-08-01", {"method": "帮扶消除", "month": "2026-08"})])
    assert flagged(led, "eliminated_without_measure") == ['F1']
