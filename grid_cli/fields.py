"""What a household and a member hold: each field's official column name, English label and parser.

One table serves the import (official column headers and the national system's spellings of them),
`--set 字段=值` edits and the prompts, so a field is checked the same way wherever it comes from.

A field that a rule reads (schooling, health, labour, insurance, 低保/特困, category, dates, ID) must be
understood, or it is refused with the nearest known values. A field no rule reads and that has a value
list (ethnicity, 文化程度, 证件类型) is `lenient`: an unknown value is kept as written, and `clean`
reports it as a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from grid_cli import catalog
from grid_cli.errors import UsageError
from grid_cli.idcard import parse_id
from grid_cli.parse import parse_bool, parse_date, parse_phone


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    en: str
    parse: Callable[[Any], Any]
    aliases: tuple[str, ...] = ()
    lenient: str | None = None  # the catalogue of a field kept as written when its value is unknown


def _text(value: Any) -> str:
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # numbers read from Excel as floats
        text = text[:-2]
    return text


def _code(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[0-9A-Za-z-]{1,40}", text):
        raise UsageError(f"户编号“{text}”只能含数字、字母和-", f"household number '{text}' may hold only digits, letters and -")
    return text


def _cat(kind: str) -> Callable[[Any], str]:
    return lambda value: catalog.normalize(kind, value)


def _as_written(kind: str) -> Callable[[Any], str]:
    return lambda value: catalog.lenient(kind, _text(value))[0]


def _receives(value: Any) -> bool:
    """享受低保政策情况 / 享受特困供养政策情况: 享受, 农村低保, 城市特困... or 不享受, 未享受; or 是/否."""
    if isinstance(value, bool):
        return value
    try:
        return parse_bool(value)
    except UsageError:
        return catalog.facts("benefit", catalog.normalize("benefit", _text(value)))["receives"]


def _months(value: Any) -> int:
    try:
        months = int(float(_text(value)))
    except (ValueError, OverflowError):
        raise UsageError(f"务工时间“{value}”应为0到12的整数", f"months of work '{value}' must be 0-12") from None
    if not 0 <= months <= 12:
        raise UsageError(f"务工时间 {months} 应在0到12个月之间", f"months of work {months} must be 0-12")
    return months


def _flags(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, set)):
        parts = value
    else:
        parts = re.split(r"[,，、;；/\s]+", _text(value))
    return sorted({catalog.normalize("household_flag", p) for p in parts if str(p).strip()})


def _birth(value: Any) -> str:
    return parse_date(value).isoformat()


def _id(value: Any) -> str:
    return parse_id(_text(value)).number


def _school(value: Any) -> str:
    return catalog.normalize("school_status", _text(value))


HOUSEHOLD_FIELDS = [
    Field("hh_no", "户编号", "household no.", _code, ("户码", "农户编号")),
    Field("village", "自然村", "natural village", _text, ("自然村(组)", "所在自然村")),
    Field("group_no", "组", "group", _text, ("村民小组", "组别", "村民组")),
    Field("phone", "联系电话", "phone", parse_phone, ("户联系电话", "户主联系电话", "手机号码", "电话")),
    Field("hh_type", "户类型", "household type", _cat("household_type"), ("农户类型",)),
    Field("category", "监测对象类别", "monitoring category", _cat("category"),
          ("监测类别", "监测对象类型", "检测对象类别")),
    Field("flags", "户标识", "flags", _flags, ("标识",)),
    Field("address", "家庭住址", "address", _text, ("住址", "地址")),
]

MEMBER_FIELDS = [
    Field("name", "姓名", "name", _text, ("成员姓名", "家庭成员姓名")),
    Field("id_type", "证件类型", "ID document type", _as_written("id_type"), (), lenient="id_type"),
    Field("id_number", "证件号码", "ID number", _id, ("身份证号码", "身份证号", "证件号", "残疾证号", "残疾人证号")),
    Field("relation", "与户主关系", "relation", _cat("relation"), ("与户主的关系",)),
    Field("sex", "性别", "sex", _cat("sex")),
    Field("birth_date", "出生日期", "birth date", _birth, ("出生年月日",)),
    Field("ethnicity", "民族", "ethnicity", _as_written("ethnicity"), (), lenient="ethnicity"),
    Field("education", "文化程度", "education", _as_written("education"), (), lenient="education"),
    Field("school_status", "在校生状况", "schooling", _school, ("在校生情况", "在校状况")),
    Field("dropout_reason", "失学或辍学原因", "drop-out reason", _cat("dropout_reason"),
          ("失学辍学原因", "辍学原因", "失学原因", "义务教育阶段未上学原因", "未上学原因")),
    Field("health", "健康状况", "health", _cat("health"), ("身体健康状况",)),
    Field("disability_grade", "残疾等级", "disability grade", _cat("disability_grade"), ("残疾级别",)),
    Field("chronic_card", "是否办理慢病卡或签约家庭医生", "chronic card / family doctor", parse_bool,
          ("是否签约家庭医生", "是否办理慢病卡", "慢病卡")),
    Field("labour_skill", "劳动技能", "labour skill", _cat("labour_skill"), ("劳动能力",)),
    Field("work_status", "务工状况", "migrant work", _cat("work_status"), ("务工情况",)),
    Field("work_months", "务工时间(月)", "months of work", _months, ("务工时间", "务工月数")),
    Field("medical_insurance", "是否参加城乡居民基本医疗保险", "basic medical insurance", parse_bool,
          ("是否参加基本医疗保险", "基本医疗保险")),
    Field("employee_medical_insurance", "是否参加城镇职工基本医疗保险", "employees' basic medical insurance", parse_bool,
          ("是否参加职工基本医疗保险",)),
    Field("serious_illness_insurance", "是否参加大病保险", "serious-illness insurance", parse_bool),
    Field("pension_insurance", "是否参加城乡居民基本养老保险", "basic pension insurance", parse_bool,
          ("是否参加基本养老保险",)),
    Field("employee_pension_insurance", "是否参加城镇职工基本养老保险", "employees' basic pension insurance", parse_bool,
          ("是否参加职工基本养老保险",)),
    Field("dibao", "是否享受农村最低生活保障", "低保 (minimum living allowance)", _receives,
          ("享受低保政策情况", "是否享受低保政策", "是否享受低保", "是否低保")),
    Field("tekun", "是否特困供养人员", "特困 (extreme-hardship support)", _receives,
          ("享受特困供养政策情况", "是否享受特困供养政策", "是否特困")),
    Field("phone", "联系电话", "phone", parse_phone, ("家庭成员联系电话", "成员联系电话", "手机号码", "电话")),
]

BY_NAME = {
    "household": {f.name: f for f in HOUSEHOLD_FIELDS},
    "member": {f.name: f for f in MEMBER_FIELDS},
}


def header_key(text: Any) -> str:
    """Fold the ways real files spell a header: spaces, full-width brackets, required-field stars."""
    key = re.sub(r"[\s　*＊]", "", str(text or ""))
    return key.replace("（", "(").replace("）", ")").replace("：", "").replace(":", "")


def lookup(entity: str, key: str) -> Field:
    """A field by its name, official header, alias or English label (for `--set 字段=值`)."""
    folded = header_key(key).lower()
    for field in BY_NAME[entity].values():
        names = (field.name, field.zh, field.en, *field.aliases)
        if folded in {header_key(n).lower() for n in names}:
            return field
    known = "、".join(f.zh for f in BY_NAME[entity].values())
    raise UsageError(f"没有字段“{key}”，可用：{known}", f"no field '{key}'; known fields: {known}")


def clean(entity: str, raw: dict[str, Any], warnings: list[tuple[str, str]] | None = None,
          ) -> tuple[dict[str, Any], dict[str, UsageError]]:
    """Parse each given field; empty cells are skipped. Returns (values, errors by field name); a lenient
    field's unknown value is kept as written and, if `warnings` is given, noted there as (field, value)."""
    values, errors = {}, {}
    for name, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        field = BY_NAME[entity][name]
        try:
            values[name] = field.parse(value)
        except UsageError as error:
            errors[name] = error
            continue
        if field.lenient and warnings is not None and not catalog.find(field.lenient, values[name]):
            warnings.append((name, values[name]))
    if entity == "member" and not errors:
        _derive_from_id(values, errors)
    return values, errors


def _derive_from_id(values: dict, errors: dict) -> None:
    """Birth date and sex follow from the ID; a 20- or 22-character disability number gives the grade
    (and says the document is a 残疾人证). A placeholder number says nothing."""
    number = values.get("id_number")
    if not number:
        return
    info = parse_id(number)
    if info.placeholder:
        return
    if values.get("sex") and values["sex"] != info.sex:
        errors["sex"] = UsageError(
            f"性别“{values['sex']}”与证件号码不符（号码为{info.sex}）",
            f"sex '{values['sex']}' does not match the ID number ({info.sex})",
        )
    if values.get("birth_date") and values["birth_date"] != info.birth_date.isoformat():
        errors["birth_date"] = UsageError(
            f"出生日期 {values['birth_date']} 与证件号码不符",
            f"birth date {values['birth_date']} does not match the ID number",
        )
    values["sex"], values["birth_date"] = info.sex, info.birth_date.isoformat()
    if info.disability_grade:
        values.setdefault("health", "残疾")
        values.setdefault("disability_grade", catalog.choices("disability_grade")[info.disability_grade - 1])
        values.setdefault("id_type", "残疾人证")
