"""tekun_working: 特困 not working passes; 特困 and 省外务工 fails."""

from checkkit import flagged, household, ledger, person


def test_tekun_working(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 70, tekun=1)])
    household(led, "F1", [person("乙", 50, tekun=1, work_status="省外务工")])
    assert flagged(led, "tekun_working") == ['F1']
