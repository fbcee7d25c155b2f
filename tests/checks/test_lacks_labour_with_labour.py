"""lacks_labour_with_labour: 缺劳动力 with no labour passes; with two of three in labour fails."""

from checkkit import flagged, household, included, ledger, person


def test_lacks_labour_with_labour(tmp_path):
    led = ledger(tmp_path)
    old = [person("甲", 75), person("乙", 73, "配偶")]
    household(led, "P1", old, steps=[included(risks=["缺劳动力"])])
    household(led, "F1", [person("丙", 45), person("丁", 43, "配偶"), person("戊", 75, "之父", sex="男")],
              steps=[included(risks=["缺劳动力"])])
    assert flagged(led, "lacks_labour_with_labour") == ['F1']
