"""eliminated_below_threshold: eliminated at 9,800 passes; at 6,900 against 7,600 fails."""

from checkkit import flagged, household, included, ledger, measure


def test_eliminated_below_threshold(tmp_path):
    led = ledger(tmp_path)
    done = [included("2025-01-05"), measure("产业帮扶", "2025-02-01"),
            ("eliminate", "2026-08-01", {"method": "帮扶消除", "month": "2026-08"})]
    household(led, "P1", visit={"income": {"wages": 19600}, "per_capita": 9800}, steps=done)
    household(led, "F1", visit={"income": {"wages": 13800}, "per_capita": 6900}, steps=done)
    assert flagged(led, "eliminated_below_threshold") == ['F1']
