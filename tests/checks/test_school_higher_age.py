"""school_higher_age: 本科 at 20 passes; 高职 at 15 fails."""

from checkkit import flagged, household, ledger, person


def test_school_higher_age(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 45), person("乙", 20, "之子", school_status="本科二年级", education=None)])
    household(led, "F1", [person("丙", 40), person("丁", 15, "之子", school_status="高职高专一年级")])
    assert flagged(led, "school_higher_age") == ['F1']
