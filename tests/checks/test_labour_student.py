"""labour_student: a pupil without labour passes; a student recorded 普通劳动力 fails."""

from checkkit import flagged, household, ledger, person


def test_labour_student(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40), person("乙", 13, "之子")])
    household(led, "F1", [person("丙", 45), person("丁", 17, "之子", school_status="普通高中二年级", education=None)])
    assert flagged(led, "labour_student") == ['F1']
