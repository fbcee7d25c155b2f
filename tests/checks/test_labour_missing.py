"""labour_missing: a recorded labour skill passes; none fails."""

from checkkit import flagged, household, ledger, person


def test_labour_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40)])
    household(led, "F1", [person("乙", 40, labour_skill=None)])
    assert flagged(led, "labour_missing") == ['F1']
