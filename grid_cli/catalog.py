"""The shipped catalogues (data/catalogues.json): household types, categories, risk types, measures,
relations, health states... Ledgers store the official Chinese term; input may be the Chinese term,
an English label or a listed alias; display follows the language."""

from __future__ import annotations

from functools import lru_cache

from grid_cli.errors import UsageError
from grid_cli.resources import load_json

# What each catalogue is called in messages.
NAMES = {
    "household_type": ("户类型", "household type"),
    "category": ("监测对象类别", "monitoring category"),
    "risk_type": ("风险类型", "risk type"),
    "disaster_type": ("灾害类型", "disaster type"),
    "measure": ("帮扶措施", "assistance measure"),
    "relation": ("与户主关系", "relation to head"),
    "sex": ("性别", "sex"),
    "health": ("健康状况", "health"),
    "disability_grade": ("残疾等级", "disability grade"),
    "labour_skill": ("劳动技能", "labour skill"),
    "school_status": ("在校生状况", "schooling"),
    "dropout_reason": ("失学辍学原因", "drop-out reason"),
    "work_status": ("务工状况", "migrant work"),
    "education": ("文化程度", "education"),
    "household_status": ("户状态", "household status"),
    "member_status": ("成员状态", "member status"),
    "household_flag": ("户标识", "household flag"),
    "house_grade": ("危房等级", "house safety grade"),
    "visit_channel": ("走访方式", "visit channel"),
    "ethnicity": ("民族", "ethnicity"),
}


def entries(kind: str) -> list[dict]:
    return load_json("catalogues.json")[kind]


@lru_cache(maxsize=None)
def _lookup(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for entry in entries(kind):
        for key in (entry["zh"], entry["en"], *entry["aliases"]):
            table[key.strip().lower()] = entry["zh"]
    return table


def normalize(kind: str, value) -> str:
    """The canonical (Chinese) term for what was typed, or UsageError listing what is allowed."""
    text = str(value).strip().replace(" ", "").replace("　", "")
    found = _lookup(kind).get(text.lower()) or _lookup(kind).get(str(value).strip().lower())
    if found:
        return found
    allowed = "、".join(e["zh"] for e in entries(kind))
    zh, en = NAMES.get(kind, (kind, kind))
    raise UsageError(f"{zh}“{value}”无法识别，可选：{allowed}", f"unknown {en} '{value}'; choose one of: {allowed}")


def label(kind: str, value: str | None, lang: str) -> str:
    if not value:
        return ""
    if lang == "zh":
        return value
    for entry in entries(kind):
        if entry["zh"] == value:
            return entry["en"]
    return value


def choices(kind: str) -> list[str]:
    return [e["zh"] for e in entries(kind)]
