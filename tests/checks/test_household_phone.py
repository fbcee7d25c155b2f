"""household_phone: a mobile number passes; a landline or nothing fails."""

from checkkit import flagged, household, ledger


def test_household_phone(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", phone="13908761234")
    household(led, "F1", phone="0851-1234567")
    household(led, "F2", phone=None)
    assert flagged(led, "household_phone") == ['F1', 'F2']
