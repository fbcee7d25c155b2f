"""measures_for_risks: 因学 with 义务教育保障 passes; 因病 with only 产业帮扶 fails."""

from checkkit import flagged, household, included, ledger, measure


def test_measures_for_risks(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", steps=[included(risks=["因学"]), measure("义务教育保障")])
    household(led, "F1", steps=[included(risks=["因病"]), measure("产业帮扶")])
    assert flagged(led, "measures_for_risks") == ['F1']
