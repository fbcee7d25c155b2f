"""student_working: a pupil not working passes; one recorded 省外务工 fails."""

from checkkit import flagged, household, ledger, person


def test_student_working(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40), person("乙", 14, "之子", school_status="八年级")])
    household(led, "F1", [person("丙", 40), person("丁", 13, "之子", work_status="省外务工")])
    assert flagged(led, "student_working") == ['F1']
