"""medical_missing: a recorded 城乡居民 scheme passes; neither fails."""

from checkkit import flagged, household, ledger, person


def test_medical_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40)])
    household(led, "F1", [person("乙", 40, medical_insurance=None)])
    assert flagged(led, "medical_missing") == ['F1']
