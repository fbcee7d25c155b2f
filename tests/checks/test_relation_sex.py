"""relation_sex: 之女 and 女 pass; 之女 and 男 fails."""

from checkkit import flagged, household, ledger, person


def test_relation_sex(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", [person("甲", 45), person("乙", 20, "之女", sex="女")])
    household(led, "F1", [person("丙", 45), person("丁", 20, "之女", sex="男")])
    assert flagged(led, "relation_sex") == ['F1']
