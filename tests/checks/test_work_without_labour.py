"""work_without_labour: working with labour passes; working without fails."""

from checkkit import flagged, household, ledger, person


def test_work_without_labour(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40, work_status="县内务工")])
    household(led, "F1", [person("乙", 40, work_status="省外务工", labour_skill="无劳动力")])
    assert flagged(led, "work_without_labour") == ['F1']
