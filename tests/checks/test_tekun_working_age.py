"""tekun_working_age: 特困 at 75 passes; at 30, healthy, fails."""

from checkkit import flagged, household, ledger, person


def test_tekun_working_age(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 75, tekun=1)])
    household(led, "F1", [person("乙", 30, tekun=1)])
    assert flagged(led, "tekun_working_age") == ['F1']
