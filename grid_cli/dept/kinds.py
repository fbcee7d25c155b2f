"""The six department lists: the columns each is expected to hold and how each column is read.

Every list is keyed by 证件号码 (the person), or by 户编号 where the department only knows the household
(住建's house assessments, 民政's household-level 低保 lists). Each column has its official name and the
spellings seen in real files; a value is parsed to what the comparison needs (a benefit, an enrolment
status, a grade, a month, whole yuan) or refused with a reason, as the household import does.

| kind | department | each row says |
|---|---|---|
| dibao | 民政 civil affairs | the household or person receives 低保, 特困 or 临时救助 (amount, since when) |
| medical | 医保 medical insurance | enrolled or not for a year; an out-of-pocket (合规自付) bill and its month |
| school | 教育 education (学籍) | the pupil's roll status (在籍, 辍学, 休学, 无学籍 ...), school and grade |
| housing | 住建 housing | the house's safety assessment (A-D) and when it was assessed |
| disability | 残联 disabled persons' federation | a disability certificate: category and grade |
| employment | 人社 human resources | employed (where, monthly income) or registered unemployed, since when |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from grid_cli import catalog
from grid_cli.errors import UsageError
from grid_cli.fields import header_key
from grid_cli.idcard import parse_id
from grid_cli.parse import parse_bool, parse_date, parse_money, parse_month


def _text(value: Any) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def _id(value: Any) -> str:
    return parse_id(_text(value)).number


def _hh_no(value: Any) -> str:
    from grid_cli.fields import BY_NAME

    return BY_NAME["household"]["hh_no"].parse(value)


def _month(value: Any) -> str:
    """A month as 2026-09 from 202609, 2026年9月, or a date in it (20260915, an Excel date)."""
    try:
        return parse_month(value)
    except UsageError:
        return parse_month(parse_date(value, allow_future=True))


def _choice(kind: str, table: dict[str, tuple[str, ...]]) -> Callable[[Any], str]:
    """One of a short list of values, each with its spellings; refused with the list otherwise."""
    lookup = {catalog.fold(s): value for value, spellings in table.items() for s in (value, *spellings)}

    def parse(value: Any) -> str:
        found = lookup.get(catalog.fold(_text(value)))
        if found is None:
            choices = "、".join(table)
            raise UsageError(f"{kind}“{_text(value)}”无法识别，可选：{choices}",
                             f"unknown {kind} '{_text(value)}'; choose one of: {choices}")
        return found

    return parse


def _enrolled(value: Any) -> bool:
    try:
        return parse_bool(value)
    except UsageError:
        return _choice("参保状态", {"已参保": ("参保", "正常参保", "在保", "正常"), "未参保": ("未保", "停保", "断保", "中断")})(value) == "已参保"


def _year(value: Any) -> int:
    from grid_cli.parse import monitoring_year

    try:
        return monitoring_year(int(float(_text(value).removesuffix("年"))))
    except ValueError:
        raise UsageError(f"年度“{value}”应为四位年份", f"the year '{value}' must be four digits") from None


@dataclass(frozen=True)
class Column:
    key: str  # the name a row's facts use
    zh: str  # the official column name
    aliases: tuple[str, ...]
    parse: Callable[[Any], Any]
    required: bool = False


ID = Column("id_number", "证件号码", ("身份证号码", "身份证号", "公民身份号码", "证件号", "残疾人证号", "残疾证号"), _id)
HH = Column("hh_no", "户编号", ("户码", "农户编号"), _hh_no)
NAME = Column("name", "姓名", ("成员姓名", "户主姓名", "救助对象姓名", "学生姓名", "参保人姓名"), _text)

BENEFITS = {"低保": ("最低生活保障", "农村低保", "城乡低保", "农村最低生活保障", "低保户"),
            "特困": ("特困供养", "特困人员", "农村特困", "特困供养人员", "五保"),
            "临时救助": ("临时救助金", "急难救助")}
ROLL = {"在籍": ("在校", "在读", "正常", "在籍在校"), "辍学": ("失学辍学", "失学或辍学", "流失"), "休学": (),
        "失学": ("未入学", "未就学"), "无学籍": ("未在籍", "无", "查无学籍")}
WORK = {"就业": ("已就业", "务工", "在岗", "灵活就业", "外出务工"), "失业": ("登记失业", "未就业", "失业登记")}


@dataclass(frozen=True)
class Kind:
    id: str
    zh: str  # the department, as findings name it
    en: str
    aliases: tuple[str, ...]
    by_household: bool  # a row may name only the 户编号
    columns: tuple[Column, ...]
    describe: tuple[str, str]  # what a row says (README and `grid dept kinds`)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return (ID, HH, NAME, *self.columns)

    def complete(self, facts: dict[str, Any]) -> None:
        """What a row's other cells give: a 20- or 22-character certificate number names its grade (残联)."""
        if self.id == "disability" and "grade" not in facts and len(facts.get("id_number") or "") >= 20:
            info = parse_id(facts["id_number"])
            facts["grade"] = catalog.choices("disability_grade")[info.disability_grade - 1]

    def check_row(self, facts: dict[str, Any]) -> list[tuple[str, UsageError]]:
        """What a row must hold beyond its single cells: its key, and for 医保 one of its two facts."""
        problems = []
        if not facts.get("id_number") and not (self.by_household and facts.get("hh_no")):
            need = "证件号码或户编号" if self.by_household else "证件号码"
            problems.append((ID.zh, UsageError(f"缺少{need}", f"the row has no {'ID number or 户编号' if self.by_household else 'ID number'}")))
        if self.id == "medical" and "enrolled" not in facts and "out_of_pocket" not in facts:
            problems.append(("参保状态", UsageError("既无参保状态也无自付金额", "neither an enrolment status nor an out-of-pocket amount",
                                                    hint_zh="填写参保状态，或合规自付金额及结算月份",
                                                    hint_en="give 参保状态, or 合规自付 and its month")))
        if self.id == "disability" and "grade" not in facts:
            problems.append(("残疾等级", UsageError("缺少残疾等级", "the disability grade (残疾等级) is missing")))
        return problems


def _money(zh: str, en: str) -> Callable[[Any], int]:
    return lambda value: parse_money(value, what=(zh, en))


KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("dibao", "民政", "civil affairs", ("民政", "低保", "civil", "minzheng"), True, (
        Column("benefit", "救助类别", ("保障类别", "救助类型", "保障类型", "类别", "享受政策"), _choice("救助类别", BENEFITS), True),
        Column("amount", "救助金额", ("保障金额", "金额", "月保障金", "发放金额"), _money("救助金额", "amount")),
        Column("since", "享受时间", ("起始时间", "纳入时间", "保障起始月份", "救助时间", "发放月份"), _month),
        Column("people", "保障人数", ("救助人数", "人数"), lambda v: int(float(_text(v))))),
         ("低保、特困供养或临时救助（户或个人、金额、起始月份）", "the household or person receives 低保, 特困 or 临时救助")),
    Kind("medical", "医保", "medical insurance", ("医保", "医疗保障", "yibao"), False, (
        Column("enrolled", "参保状态", ("是否参保", "参保情况", "是否参加城乡居民基本医疗保险"), _enrolled),
        Column("year", "参保年度", ("年度", "缴费年度"), _year),
        Column("out_of_pocket", "合规自付", ("合规自付金额", "合规自付费用", "个人自付", "自付金额", "个人负担"), _money("合规自付", "out-of-pocket")),
        Column("settled", "结算月份", ("结算时间", "结算日期", "就诊时间", "出院日期", "费用月份"), _month)),
         ("参保与否（年度），或一笔合规自付费用（结算月份）", "enrolled or not for a year, or an out-of-pocket bill and its month")),
    Kind("school", "教育", "education", ("教育", "学籍", "education"), False, (
        Column("roll", "学籍状态", ("在籍状态", "学籍情况", "在校状态"), _choice("学籍状态", ROLL), True),
        Column("school", "学校", ("学校名称", "就读学校"), _text),
        Column("grade", "年级", ("就读年级",), _text)),
         ("学生的学籍状态（在籍、辍学、休学、失学、无学籍）、学校、年级", "the pupil's roll status, school and grade")),
    Kind("housing", "住建", "housing", ("住建", "住房", "危房", "zhujian"), True, (
        Column("grade", "鉴定等级", ("危房等级", "房屋等级", "安全等级", "鉴定结果"), lambda v: catalog.normalize("house_grade", _text(v)), True),
        Column("assessed", "鉴定时间", ("鉴定日期", "评定时间", "鉴定月份"), _month)),
         ("房屋安全鉴定等级（A–D）与鉴定时间", "the house's safety assessment (A-D) and when")),
    Kind("disability", "残联", "disabled persons' federation", ("残联", "残疾", "canlian"), False, (
        Column("category", "残疾类别", ("残疾类型",), _choice("残疾类别", {c: () for c in ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")})),
        Column("grade", "残疾等级", ("残疾级别",), lambda v: catalog.normalize("disability_grade", _text(v)))),
         ("持残疾人证：残疾类别与等级", "a disability certificate: category and grade")),
    Kind("employment", "人社", "human resources", ("人社", "就业", "人力资源", "renshe"), False, (
        Column("work", "就业状态", ("就业情况", "是否就业", "登记状态"), _choice("就业状态", WORK), True),
        Column("place", "就业地点", ("务工地点", "务工所在地", "工作地点"), _text),
        Column("since", "登记时间", ("就业时间", "失业登记时间", "月份"), _month),
        Column("income", "月收入", ("务工月收入", "工资"), _money("月收入", "monthly income"))),
         ("就业（地点、月收入）或登记失业，及其时间", "employed (where, monthly income) or registered unemployed, since when")),
)}


def kind_of(text: str) -> Kind:
    """A kind by its id, its department (民政 ...) or an alias."""
    key = catalog.fold(text)
    for kind in KINDS.values():
        if key in {catalog.fold(n) for n in (kind.id, kind.zh, kind.en, *kind.aliases)}:
            return kind
    names = "、".join(f"{k.zh}/{k.id}" for k in KINDS.values())
    raise UsageError(f"没有部门名单“{text}”，可选：{names}", f"no department list '{text}'; choose one of: {names}")


def columns_by_header(kind: Kind) -> dict[str, Column]:
    return {header_key(name): column for column in kind.all_columns for name in (column.zh, *column.aliases)}
