"""compulsory_out_of_school: in school, or out for a recorded reason, passes; out with no reason, or nothing recorded, fails."""

from checkkit import flagged, household, ledger, person


def test_compulsory_out_of_school(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40), person("乙", 13, "之子"),
                          person("丙", 12, "之女", school_status="失学辍学", dropout_reason="因病", health="患有大病")])
    household(led, "F1", [person("丁", 40), person("戊", 13, "之子", school_status="失学辍学")])
    household(led, "F2", [person("己", 40), person("庚", 12, "之子", school_status=None)])
    assert flagged(led, "compulsory_out_of_school") == ['F1', 'F2']
