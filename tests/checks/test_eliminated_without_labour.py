"""eliminated_without_labour: eliminated with labour passes; with none fails."""

from checkkit import flagged, household, included, ledger, person


def test_eliminated_without_labour(tmp_path):
    led = ledger(tmp_path)
    eliminated = [included("2025-01-05"), ("eliminate", "2026-08-01", {"method": "自然消除", "month": "2026-08"})]
    household(led, "P1", steps=eliminated)
    household(led, "F1", [person("甲", 75), person("乙", 72, "配偶")], steps=eliminated)
    assert flagged(led, "eliminated_without_labour") == ['F1']
