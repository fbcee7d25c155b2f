"""category_without_identified: a category with its inclusion passes; a category never included fails."""

from checkkit import flagged, household, included, ledger


def test_category_without_identified(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", category="边缘易致贫户", steps=[included()])
    household(led, "F1", category="边缘易致贫户")
    assert flagged(led, "category_without_identified") == ['F1']
