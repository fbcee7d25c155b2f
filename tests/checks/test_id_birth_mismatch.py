"""id_birth_mismatch: a birth date as in the number passes; another fails."""

from checkkit import flagged, household, ledger, person


def test_id_birth_mismatch(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲")])
    household(led, "F1", [person("乙", birth_date="1950-01-31")])
    assert flagged(led, "id_birth_mismatch") == ['F1']
