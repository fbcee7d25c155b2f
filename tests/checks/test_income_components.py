"""income_components: items that add up pass; a per-capita that does not fails."""

from checkkit import flagged, household, ledger


def test_income_components(tmp_path):
    led = ledger(tmp_path)
    household(led, "P1", visit={"income": {"wages": 30000, "business": 4000, "production_costs": 1500},
                                "residents": ["a", "b", "c", "d"], "per_capita": 8125})
    household(led, "F1", visit={"income": {"wages": 30000, "business": 4000, "production_costs": 1500},
                                "residents": ["a", "b", "c", "d"], "per_capita": 12000})
    assert flagged(led, "income_components") == ['F1']
