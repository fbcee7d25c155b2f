"""spouse_same_sex: head and spouse of different sexes pass; the same sex fails."""

from checkkit import flagged, household, ledger, person


def test_spouse_same_sex(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 45, sex="男"), person("乙", 43, "配偶", sex="女")])
    household(led, "F1", [person("丙", 45, sex="男"), person("丁", 43, "配偶", sex="男")])
    assert flagged(led, "spouse_same_sex") == ['F1']
