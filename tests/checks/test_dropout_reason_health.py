"""dropout_reason_health: 因残 and 残疾 pass; 因病 and 健康 fails."""

from checkkit import flagged, household, ledger, person


def test_dropout_reason_health(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40), person("乙", 13, "之子", school_status="失学辍学", dropout_reason="因残", health="残疾")])
    household(led, "F1", [person("丙", 40), person("丁", 13, "之子", school_status="失学辍学", dropout_reason="因病")])
    assert flagged(led, "dropout_reason_health") == ['F1']
