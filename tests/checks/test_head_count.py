"""head_count: one head passes; none or two fail."""

from checkkit import flagged, household, ledger, person


def test_head_count(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1")
    household(led, "F1", [person("甲", 40, "之子"), person("乙", 38, "配偶")])
    household(led, "F2", [person("丙", 40), person("丁", 41)])
    assert flagged(led, "head_count") == ['F1', 'F2']
