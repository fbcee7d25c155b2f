"""serious_illness_missing: recorded passes; empty fails."""

from checkkit import flagged, household, ledger, person


def test_serious_illness_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40)])
    household(led, "F1", [person("乙", 40, serious_illness_insurance=None)])
    assert flagged(led, "serious_illness_missing") == ['F1']
