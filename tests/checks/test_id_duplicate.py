"""id_duplicate: distinct numbers pass; one person's number on two members fails."""

from checkkit import flagged, household, ledger, person


def test_id_duplicate(tmp_path):
    led = ledger(tmp_path)
    twin = person("甲")
    household(led, "P1", [person("乙")])
    household(led, "F1", [twin])
    household(led, "F2", [{**person("甲2"), "id_number": twin["id_number"] + "42"}])  # the same person, certificate form
    assert flagged(led, "id_duplicate") == ['F1', 'F2']
