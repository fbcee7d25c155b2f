"""labour_healthy_none: 普通劳动力 at 40 passes; 无劳动力 at 35, healthy, fails."""

from checkkit import flagged, household, ledger, person


def test_labour_healthy_none(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40)])
    household(led, "F1", [person("乙", 35, labour_skill="无劳动力")])
    assert flagged(led, "labour_healthy_none") == ['F1']
