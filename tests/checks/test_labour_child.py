"""labour_child: 无劳动力 at 12 passes; 普通劳动力 at 14 fails."""

from checkkit import flagged, household, ledger, person


def test_labour_child(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40), person("乙", 12, "之子")])
    household(led, "F1", [person("丙", 40), person("丁", 14, "之子", labour_skill="普通劳动力")])
    assert flagged(led, "labour_child") == ['F1']
