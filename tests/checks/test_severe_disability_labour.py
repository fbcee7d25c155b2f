"""severe_disability_labour: grade 2 without labour passes; grade 1 with 普通劳动力 fails."""

from checkkit import flagged, household, ledger, person


def test_severe_disability_labour(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40, health="残疾", disability_grade="二级", labour_skill="无劳动力")])
    household(led, "F1", [person("乙", 40, health="残疾", disability_grade="一级")])
    assert flagged(led, "severe_disability_labour") == ['F1']
