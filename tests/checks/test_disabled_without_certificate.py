"""disabled_without_certificate: 残疾 with a certificate number passes; with an 18-character ID fails."""

from checkkit import flagged, household, ledger, person


def test_disabled_without_certificate(tmp_path):
    led = ledger(tmp_path)
    cert = person("甲", 40, health="残疾", labour_skill="无劳动力")
    household(led, "P1", [{**cert, "id_number": cert["id_number"] + "42"}])
    household(led, "F1", [person("乙", 40, health="残疾", labour_skill="无劳动力", id_type="居民身份证")])
    assert flagged(led, "disabled_without_certificate") == ['F1']
