"""dibao_measure_without_member: a 低保 measure with a member on 低保 passes; with nobody fails."""

from checkkit import flagged, household, included, ledger, measure, person


def test_dibao_measure_without_member(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 60, dibao=1)], steps=[included(), measure("综合保障", detail="低保")])
    household(led, "F1", [person("乙", 60)], steps=[included(), measure("综合保障", detail="农村低保")])
    assert flagged(led, "dibao_measure_without_member") == ['F1']
