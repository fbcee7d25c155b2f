"""health_missing: a recorded health passes; none fails."""

from checkkit import flagged, household, ledger, person


def test_health_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 40)])
    household(led, "F1", [person("乙", 40, health=None)])
    assert flagged(led, "health_missing") == ['F1']
