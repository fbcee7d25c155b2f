"""income_below_unmonitored: above the threshold, or below and monitored, passes; below and unmonitored fails."""

from checkkit import flagged, household, included, ledger


def test_income_below_unmonitored(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", visit={"income": {"wages": 18000}, "per_capita": 9000})
    household(led, "P2", visit={"income": {"wages": 13800}, "per_capita": 6900}, steps=[included()])
    household(led, "F1", visit={"income": {"wages": 13800}, "per_capita": 6900})
    assert flagged(led, "income_below_unmonitored") == ['F1']
