"""id_missing: a real number passes; a placeholder or no number fails."""

from checkkit import flagged, household, ledger, person


def test_id_missing(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲")])
    household(led, "F1", [person("乙", id_number="999999200001010011")])
    household(led, "F2", [person("丙", id_number=None)])
    assert flagged(led, "id_missing") == ['F1', 'F2']
