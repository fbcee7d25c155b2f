"""relation_age: a son 26 years younger passes; 5 years younger fails."""

from checkkit import flagged, household, ledger, person


def test_relation_age(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 50), person("乙", 24, "之子")])
    household(led, "F1", [person("丙", 40), person("丁", 35, "之子")])
    assert flagged(led, "relation_age") == ['F1']
