"""relation_missing: a recorded relation passes; none fails."""

from checkkit import flagged, household, ledger, person


def test_relation_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 50)])
    household(led, "F1", [person("乙", 50), person("丙", 30, None)])
    assert flagged(led, "relation_missing") == ['F1']
