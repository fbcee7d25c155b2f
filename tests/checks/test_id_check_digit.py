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


def test_id_check_digit_impossible_birth_day(tmp_path):
    """A number whose check character is right but whose birth date is no day of the calendar fails, whatever
    SQLite's date() makes of it (3.40 gives 2024-02-30 back unchanged); 29 February of a leap year passes."""
    from conftest import make_id

    led = ledger(tmp_path)
    household(led, "P1", [person("甲", id_number=make_id("20240229", 11), birth_date="2024-02-29")])
    household(led, "P2", [person("乙", id_number=make_id("20000229", 13), birth_date="2000-02-29")])
    household(led, "F1", [person("丙", id_number=make_id("20240230", 15), birth_date=None)])
    household(led, "F2", [person("丁", id_number=make_id("19001329", 17), birth_date=None)])
    household(led, "F3", [person("戊", id_number=make_id("19000229", 19), birth_date=None)])  # 1900: no leap day
    household(led, "F4", [person("己", id_number=make_id("19800431", 21), birth_date=None)])
    assert flagged(led, "id_check_digit") == ['F1', 'F2', 'F3', 'F4']
