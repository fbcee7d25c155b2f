"""young_low_education: 高中 at 19 passes; 小学 at 18 fails."""

from checkkit import flagged, household, ledger, person


def test_young_low_education(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 45), person("乙", 19, "之子", education="高中")])
    household(led, "F1", [person("丙", 45), person("丁", 18, "之子", education="小学")])
    assert flagged(led, "young_low_education") == ['F1']
