"""education_missing: a recorded 文化程度 passes; nothing at all fails."""

from checkkit import flagged, household, ledger, person


def test_education_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40)])
    household(led, "F1", [person("乙", 40, education=None, school_status=None)])
    assert flagged(led, "education_missing") == ['F1']
