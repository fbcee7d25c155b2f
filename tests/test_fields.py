"""The field table: official headers and aliases, parsing, and what follows from the ID number."""

import pytest

from conftest import make_id
from grid_cli.errors import UsageError
from grid_cli.fields import clean, header_key, lookup


@pytest.mark.parametrize("written, key", [
    (" 务工时间（月） ", "务工时间(月)"), ("证件 号码", "证件号码"), ("*户编号", "户编号"), ("户编号：", "户编号"),
    ("是否参加城乡居民基本医疗保险\n", "是否参加城乡居民基本医疗保险"), ("自然村　", "自然村"),
])
def test_header_folding(written, key):
    assert header_key(written) == key


@pytest.mark.parametrize("entity, key, name", [
    ("household", "户类型", "hh_type"), ("household", "household type", "hh_type"), ("household", "hh_type", "hh_type"),
    ("member", "身份证号码", "id_number"), ("member", "务工时间（月）", "work_months"), ("member", "健康状况", "health"),
])
def test_lookup_by_official_name_alias_or_label(entity, key, name):
    assert lookup(entity, key).name == name


def test_lookup_unknown_field_lists_the_known_ones():
    with pytest.raises(UsageError) as caught:
        lookup("member", "血型")
    assert "血型" in caught.value.zh and "证件号码" in caught.value.zh


def test_member_values_are_parsed_and_catalogue_terms_normalised():
    values, errors = clean("member", {"name": " 王芳 ", "id_number": "11010519491231002x", "relation": "女儿",
                                      "medical_insurance": "是", "work_months": "6.0", "health": "慢性病",
                                      "ethnicity": "", "phone": None})
    assert errors == {}
    assert values == {"name": "王芳", "id_number": "11010519491231002X", "relation": "之女", "medical_insurance": True,
                      "work_months": 6, "health": "长期慢性病", "sex": "女", "birth_date": "1949-12-31"}


def test_sex_and_birth_date_must_agree_with_the_id():
    _, errors = clean("member", {"name": "x", "id_number": "11010519491231002X", "sex": "男"})
    assert set(errors) == {"sex"}
    _, errors = clean("member", {"name": "x", "id_number": "11010519491231002X", "birth_date": "1950-01-01"})
    assert set(errors) == {"birth_date"}
    values, errors = clean("member", {"name": "x", "id_number": "11010519491231002X", "sex": "女",
                                      "birth_date": "1949年12月31日"})
    assert errors == {} and values["birth_date"] == "1949-12-31"


def test_a_disability_number_gives_health_and_grade():
    values, errors = clean("member", {"name": "x", "id_number": "11010519491231002X42"})
    assert errors == {}
    assert values["health"] == "残疾" and values["disability_grade"] == "二级"


@pytest.mark.parametrize("field, value", [("relation", "表哥"), ("work_months", "13"), ("work_months", "-1"),
                                          ("work_months", "半年"), ("medical_insurance", "也许"),
                                          ("birth_date", "2030-01-01"), ("id_number", make_id()[:17] + "0"
                                                                         if make_id()[17] != "0" else make_id()[:17] + "1"),
                                          ("health", "很好"), ("phone", "12")])
def test_bad_member_values_become_errors_by_field(field, value):
    _, errors = clean("member", {"name": "x", field: value})
    assert set(errors) == {field}


@pytest.mark.parametrize("value", ["A-01", "5299990301", "52999903010004.0"])
def test_household_numbers(value):
    values, errors = clean("household", {"hh_no": value})
    assert errors == {} and "." not in values["hh_no"]


@pytest.mark.parametrize("value", ["A 01", "户1", "x" * 41])
def test_bad_household_numbers(value):
    _, errors = clean("household", {"hh_no": value})
    assert set(errors) == {"hh_no"}


def test_flags_split_on_chinese_and_ascii_separators():
    values, errors = clean("household", {"flags": "低保、易地搬迁,特困供养"})
    assert errors == {} and values["flags"] == ["低保", "易地搬迁", "特困"]
