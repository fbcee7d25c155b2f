"""The national value lists: every alias maps, national forms come back, rule facts, suggestions, IDs."""

import pytest

from conftest import make_id
from grid_cli import catalog
from grid_cli.errors import UsageError
from grid_cli.fields import clean
from grid_cli.idcard import parse_id
from grid_cli.resources import load_json

ALL = load_json("catalogues.json")


@pytest.mark.parametrize("kind", sorted(ALL))
def test_every_name_and_alias_maps_to_its_entry_and_the_national_form_comes_back(kind):
    for entry in ALL[kind]:
        for name in (entry["zh"], entry["en"], entry.get("national", entry["zh"]), *entry["aliases"]):
            assert catalog.find(kind, name) == entry["zh"], (kind, name)
        assert catalog.normalize(kind, catalog.national(kind, entry["zh"])) == entry["zh"]


@pytest.mark.parametrize("kind, raw, stored", [
    ("school_status", "七年级", "七年级"), ("school_status", "初二", "八年级"), ("school_status", "九年级", "九年级"),
    ("school_status", "普通高中三年级", "普通高中三年级"), ("school_status", "中职二年级", "中职二年级"),
    ("school_status", "高职高专一年级", "高职高专一年级"), ("school_status", "技师学院二年级", "技师学院二年级"),
    ("school_status", "本科四年级", "本科四年级"), ("school_status", "硕士生及以上", "硕士生及以上"),
    ("school_status", "学龄前儿童", "学龄前儿童"), ("school_status", "学前教育", "学前教育"),
    ("school_status", "失学或辍学", "失学辍学"), ("school_status", "失学和辍学", "失学辍学"),  # 或/和
    ("work_status", "乡（镇）内务工", "乡镇内务工"), ("work_status", "乡(镇)外县内务工", "县内务工"),
    ("work_status", "县外省内务工", "省内县外务工"), ("work_status", "省外务工", "省外务工"),
    ("risk_type", "因安全住房", "因安全住房"), ("risk_type", "因安全饮水", "因安全饮水"),
    ("risk_type", "因务工就业不稳", "因务工就业不稳"), ("risk_type", "缺劳动力", "缺劳动力"),
    ("category", "脱贫不稳定", "脱贫不稳定户"), ("category", "边缘易致贫", "边缘易致贫户"),  # with or without 户
    ("health", "残疾人", "残疾"), ("labour_skill", "无劳动能力", "无劳动力"),
    ("labour_skill", "弱劳动力", "弱劳动力或半劳动力"), ("relation", "之外孙女", "之外孙女"), ("relation", "岳母", "之岳母"),
    ("dropout_reason", "因病", "因病"), ("benefit", "未享受", "不享受"), ("benefit", "农村低保", "享受"),
    ("id_type", "残疾人证", "残疾人证"), ("education", "文盲或半文盲", "文盲或半文盲"), ("education", "大专", "大专"),
    ("education", "本科及以上", "本科及以上"), ("ethnicity", "布依族", "布依族"), ("ethnicity", "侗", "侗族"),
])
def test_national_spellings(kind, raw, stored):
    assert catalog.normalize(kind, raw) == stored


def test_the_national_forms_written_back():
    assert catalog.national("school_status", "失学辍学") == "失学或辍学"
    assert catalog.national("work_status", "县内务工") == "乡（镇）外县内务工"
    assert catalog.national("work_status", "乡镇内务工") == "乡（镇）内务工"
    assert catalog.national("school_status", "八年级") == "八年级"
    assert catalog.national("ethnicity", "穿青人") == "穿青人"  # unknown: as written


def test_all_56_ethnic_groups():
    groups = [e["zh"] for e in ALL["ethnicity"] if e["zh"] != "其他"]
    assert len(groups) == len(set(groups)) == 56
    assert {"布依族", "侗族", "水族", "仡佬族", "基诺族", "珞巴族", "汉族"} <= set(groups)


def test_schooling_facts_answer_what_the_rules_ask():
    for grade in ("七年级", "八年级", "九年级"):
        s = catalog.school(grade)
        assert s.in_school and s.in_compulsory_education and not s.out_of_school and s.stage == "junior"
    assert catalog.school("八年级").grade == 8 and catalog.school("普通高中一年级").grade == 10
    assert catalog.school("小学").in_compulsory_education and catalog.school("送教上门").in_compulsory_education
    assert catalog.school("失学辍学").out_of_school and not catalog.school("失学辍学").in_school
    assert not catalog.school("学龄前儿童").in_school and catalog.school("学前教育").in_school
    assert not catalog.school("普通高中一年级").in_compulsory_education and catalog.school("中职一年级").in_school
    assert catalog.school(None) == catalog.School()


@pytest.mark.parametrize("kind, raw, nearest", [
    ("school_status", "初中二年", "八年级"), ("health", "大病患者", "患有大病"), ("risk_type", "因住房", "因安全住房"),
    ("work_status", "乡镇外县内", "县内务工"),
])
def test_an_unknown_value_a_rule_reads_is_refused_with_the_nearest_known(kind, raw, nearest):
    with pytest.raises(UsageError) as caught:
        catalog.normalize(kind, raw)
    assert nearest in caught.value.zh and raw in caught.value.zh


def test_unknown_values_no_rule_reads_are_kept_as_written_with_a_warning():
    warnings = []
    values, errors = clean("member", {"ethnicity": "穿青人", "education": "扫盲班", "id_type": "护照", "name": "甲"}, warnings)
    assert errors == {} and values == {"ethnicity": "穿青人", "education": "扫盲班", "id_type": "护照", "name": "甲"}
    assert sorted(warnings) == [("education", "扫盲班"), ("ethnicity", "穿青人"), ("id_type", "护照")]
    values, errors = clean("member", {"ethnicity": "布依", "health": "大病患者"}, warnings := [])
    assert values == {"ethnicity": "布依族"} and "health" in errors and warnings == []


@pytest.mark.parametrize("raw, expected", [("享受", True), ("农村低保", True), ("城市特困", True), ("是", True),
                                           ("不享受", False), ("未享受", False), ("否", False)])
def test_benefit_columns_read_as_yes_or_no(raw, expected):
    values, errors = clean("member", {"dibao": raw, "tekun": raw})
    assert errors == {} and values == {"dibao": expected, "tekun": expected}
    _, errors = clean("member", {"dibao": "大概"})
    assert "dibao" in errors


def test_id_numbers_of_18_20_and_22_characters_and_placeholders():
    base = make_id("19800101", 11)
    assert parse_id(base).sex == "男"
    twenty = parse_id(base + "42")
    assert (twenty.disability_category, twenty.disability_grade) == (4, 2)
    twentytwo = parse_id(base + "4201")
    assert twentytwo.number == base + "4201" and twentytwo.disability_grade == 2
    assert twentytwo.birth_date.isoformat() == "1980-01-01"
    with pytest.raises(UsageError):
        parse_id(base[:17] + ("0" if base[17] != "0" else "1") + "4201")  # the ID part's check digit still counts
    with pytest.raises(UsageError):
        parse_id(base + "9901")  # category 9 does not exist
    placeholder = parse_id("999999200501010012")
    assert placeholder.placeholder and placeholder.birth_date is None and placeholder.sex is None
    values, errors = clean("member", {"id_number": " 99999920050101001x ", "birth_date": "2005-01-01", "sex": "女"})
    assert errors == {} and values == {"id_number": "99999920050101001X", "birth_date": "2005-01-01", "sex": "女"}
    values, errors = clean("member", {"id_number": base + "4201"})
    assert values["id_type"] == "残疾人证" and values["disability_grade"] == "二级" and values["birth_date"] == "1980-01-01"
