"""school_preschool_age: 学前教育 at 5 passes; 学龄前儿童 at 8 (健康) fails."""

from checkkit import flagged, household, ledger, person


def test_school_preschool_age(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40), person("乙", 5, "之子", school_status="学前教育")])
    household(led, "F1", [person("丙", 40), person("丁", 8, "之子", school_status="学龄前儿童")])
    assert flagged(led, "school_preschool_age") == ['F1']
