"""no_labour_without_dibao: no labour with 低保 passes; without fails."""

from checkkit import flagged, household, ledger, person


def test_no_labour_without_dibao(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 75), person("乙", 73, "配偶", dibao=1)])
    household(led, "F1", [person("丙", 75), person("丁", 73, "配偶")])
    assert flagged(led, "no_labour_without_dibao") == ['F1']
