"""dibao_without_measure: 低保 with 综合保障 passes; without fails."""

from checkkit import flagged, household, included, ledger, measure, person


def test_dibao_without_measure(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 60, dibao=1)], steps=[included(), measure("综合保障", detail="低保")])
    household(led, "F1", [person("乙", 60, dibao=1)], steps=[included(), measure("产业帮扶")])
    assert flagged(led, "dibao_without_measure") == ['F1']
