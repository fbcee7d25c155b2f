"""monitored_without_risk: monitored with a risk type passes; with none fails."""

from checkkit import flagged, household, included, ledger


def test_monitored_without_risk(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", steps=[included()])
    household(led, "F1", steps=[included(risks=[])])
    assert flagged(led, "monitored_without_risk") == ['F1']
