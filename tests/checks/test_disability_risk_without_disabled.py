"""disability_risk_without_disabled: 因残 with a disabled member passes; with none fails."""

from checkkit import flagged, household, included, ledger, person


def test_disability_risk_without_disabled(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 45, health="残疾", labour_skill="无劳动力")], steps=[included(risks=["因残"])])
    household(led, "F1", [person("乙", 45)], steps=[included(risks=["因残"])])
    assert flagged(led, "disability_risk_without_disabled") == ['F1']
