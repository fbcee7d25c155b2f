"""school_senior_age: 高中 at 17 passes; 中职 at 13 fails."""

from checkkit import flagged, household, ledger, person


def test_school_senior_age(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 45), person("乙", 17, "之子", school_status="普通高中二年级", education=None)])
    household(led, "F1", [person("丙", 40), person("丁", 13, "之子", school_status="中职一年级")])
    assert flagged(led, "school_senior_age") == ['F1']
