"""quick_elimination: eliminated 9 months after identification passes; 2 months after fails."""

from checkkit import flagged, household, included, ledger, measure


def test_quick_elimination(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", steps=[included("2025-11-05"), measure("产业帮扶", "2025-11-20"),
                                ("eliminate", "2026-08-01", {"method": "帮扶消除", "month": "2026-08"})])
    household(led, "F1", steps=[included("2026-03-05"), measure("产业帮扶", "2026-03-20"),
                                ("eliminate", "2026-05-01", {"method": "帮扶消除", "month": "2026-05"})])
    assert flagged(led, "quick_elimination") == ['F1']
