"""education_with_school: a pupil without 文化程度 passes; with one fails."""

from checkkit import flagged, household, ledger, person


def test_education_with_school(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40), person("乙", 13, "之子", education=None)])
    household(led, "F1", [person("丙", 40), person("丁", 13, "之子", education="小学")])
    assert flagged(led, "education_with_school") == ['F1']
