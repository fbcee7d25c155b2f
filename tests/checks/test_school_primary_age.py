"""school_primary_age: 小学 at 9 passes; at 16 fails."""

from checkkit import flagged, household, ledger, person


def test_school_primary_age(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40), person("乙", 9, "之子")])
    household(led, "F1", [person("丙", 40), person("丁", 16, "之子", school_status="小学")])
    assert flagged(led, "school_primary_age") == ['F1']
