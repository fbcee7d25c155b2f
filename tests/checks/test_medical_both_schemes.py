"""medical_both_schemes: one scheme passes; both fail."""

from checkkit import flagged, household, ledger, person


def test_medical_both_schemes(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40, employee_medical_insurance=0)])
    household(led, "F1", [person("乙", 40, employee_medical_insurance=1)])
    assert flagged(led, "medical_both_schemes") == ['F1']
