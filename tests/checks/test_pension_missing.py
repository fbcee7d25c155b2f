"""pension_missing: either pension recorded passes; neither fails."""

from checkkit import flagged, household, ledger, person


def test_pension_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40, pension_insurance=None, employee_pension_insurance=1)])
    household(led, "F1", [person("乙", 40, pension_insurance=None)])
    assert flagged(led, "pension_missing") == ['F1']
