"""work_risk_without_labour: 因务工就业不稳 with labour passes; with none fails."""

from checkkit import flagged, household, included, ledger, person


def test_work_risk_without_labour(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 45)], steps=[included(risks=["因务工就业不稳"])])
    household(led, "F1", [person("乙", 75)], steps=[included(risks=["因务工就业不稳"])])
    assert flagged(led, "work_risk_without_labour") == ['F1']
