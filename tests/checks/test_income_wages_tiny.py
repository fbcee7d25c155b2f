"""income_wages_tiny: wages 24,000 pass; 50 fail."""

from checkkit import flagged, household, ledger


def test_income_wages_tiny(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", visit={"income": {"wages": 24000}, "per_capita": 12000})
    household(led, "F1", visit={"income": {"wages": 50, "transfer": 20000}, "per_capita": 10025})
    assert flagged(led, "income_wages_tiny") == ['F1']
