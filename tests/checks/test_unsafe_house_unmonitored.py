"""unsafe_house_unmonitored: grade B, or C and monitored, passes; C unmonitored fails."""

from checkkit import flagged, household, included, ledger


def test_unsafe_house_unmonitored(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", visit={"house_grade": "B"})
    household(led, "P2", visit={"house_grade": "C"}, steps=[included(risks=["因安全住房"])])
    household(led, "F1", visit={"house_grade": "C"})
    assert flagged(led, "unsafe_house_unmonitored") == ['F1']
