"""school_junior_age: 七年级 at 13 passes; at 19 fails."""

from checkkit import flagged, household, ledger, person


def test_school_junior_age(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40), person("乙", 13, "之子", school_status="七年级")])
    household(led, "F1", [person("丙", 45), person("丁", 19, "之子", school_status="七年级", education=None)])
    assert flagged(led, "school_junior_age") == ['F1']
