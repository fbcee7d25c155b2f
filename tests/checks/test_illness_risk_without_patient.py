"""illness_risk_without_patient: 因病 with an ill member passes; with none fails."""

from checkkit import flagged, household, included, ledger, person


def test_illness_risk_without_patient(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 45, health="患有大病")], steps=[included(risks=["因病"])])
    household(led, "F1", [person("乙", 45)], steps=[included(risks=["因病"])])
    assert flagged(led, "illness_risk_without_patient") == ['F1']
