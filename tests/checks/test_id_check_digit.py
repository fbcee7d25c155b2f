"""id_check_digit: a valid number passes; one with a wrong check character fails."""

from checkkit import flagged, household, ledger, person


def test_id_check_digit(tmp_path):
    led = ledger(tmp_path)
    good = person("甲")
    bad = person("乙")
    bad["id_number"] = bad["id_number"][:17] + ("0" if bad["id_number"][17] != "0" else "1")
    household(led, "P1", [good])
    household(led, "F1", [bad])
    assert flagged(led, "id_check_digit") == ['F1']
