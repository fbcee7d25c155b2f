"""id_sex_mismatch: the number's sex passes; the other fails."""

from checkkit import flagged, household, ledger, person


def test_id_sex_mismatch(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲")])
    wrong = person("乙")
    household(led, "F1", [{**wrong, "sex": "女" if wrong["sex"] == "男" else "男"}])
    assert flagged(led, "id_sex_mismatch") == ['F1']
