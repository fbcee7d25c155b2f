"""labour_elderly: 弱劳动力 at 66 passes; 普通劳动力 at 72 fails."""

from checkkit import flagged, household, ledger, person


def test_labour_elderly(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 66, labour_skill="弱劳动力或半劳动力")])
    household(led, "F1", [person("乙", 72, labour_skill="普通劳动力")])
    assert flagged(led, "labour_elderly") == ['F1']
