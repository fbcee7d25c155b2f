"""The value lists (data/catalogues.json): household types, categories, risk types, schooling, work,
relations, ethnic groups... in the national system's vocabulary, with aliases and spelling variants.

Each entry has `zh` (the value the ledger stores), `en`, `aliases`, and optionally `national` (how the
national system writes it, when that differs from `zh`) and `facts` (what a rule needs to know about
the value, e.g. whether a schooling value is compulsory education). The API:

- `normalize(kind, raw)`: the stored value for what was typed or imported; a UsageError that names
  the nearest known values otherwise (for the lists a rule reads: an unknown value is refused).
- `lenient(kind, raw)`: `(value, known)`: the stored value if known, else the text as written (for the
  lists no rule reads: ethnicity, 文化程度, 证件类型, relation: kept, with a warning).
- `national(kind, value)`: the national form, for exports (normalize(national(v)) == v).
- `school(value)`: the facts of a schooling value (in school? compulsory education? out of school?).
- `label`, `choices`, `entries`: display and listing.

Matching folds what real files vary: spaces, full-width brackets and letters (NFKC), case; then, if
still unknown, 和 for 或 and a trailing 户 or 人 ("脱贫不稳定" for 脱贫不稳定户).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
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
    "dropout_reason": ("失学或辍学原因", "drop-out reason"),
    "work_status": ("务工状况", "migrant work"),
    "education": ("文化程度", "education"),
    "household_status": ("户状态", "household status"),
    "member_status": ("成员状态", "member status"),
    "household_flag": ("户标识", "household flag"),
    "house_grade": ("危房等级", "house safety grade"),
    "visit_channel": ("走访方式", "visit channel"),
    "ethnicity": ("民族", "ethnicity"),
    "id_type": ("证件类型", "ID document type"),
    "benefit": ("享受政策情况", "benefit status"),
}


def entries(kind: str) -> list[dict]:
    return load_json("catalogues.json")[kind]


def fold(text) -> str:
    """How a value is compared: NFKC (full-width brackets and letters to half-width), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _loose(key: str) -> str:
    return re.sub(r"[户人]$", "", key.replace("和", "或"))


@lru_cache(maxsize=None)
def _tables(kind: str) -> tuple[dict[str, str], dict[str, str]]:
    """(exact, loose) lookup tables: folded spelling -> stored value. A loose spelling that two entries
    share is left out (it would be a guess)."""
    exact: dict[str, str] = {}
    loose: dict[str, str | None] = {}
    for entry in entries(kind):
        for name in (entry["zh"], entry["en"], entry.get("national", entry["zh"]), *entry["aliases"]):
            key = fold(name)
            exact.setdefault(key, entry["zh"])
            held = loose.setdefault(_loose(key), entry["zh"])
            if held != entry["zh"]:
                loose[_loose(key)] = None
    return exact, {k: v for k, v in loose.items() if v is not None}


@lru_cache(maxsize=8192)  # an import asks the same few values a million times
def find(kind: str, value) -> str | None:
    """The stored value for `value`, or None if it is not in the list."""
    key = fold(value)
    exact, loose = _tables(kind)
    return exact.get(key) or loose.get(_loose(key))


def suggest(kind: str, value, n: int = 3) -> list[str]:
    """The stored values nearest to an unknown `value` (by spelling of any name or alias)."""
    exact, _ = _tables(kind)
    key = fold(value)
    near = difflib.get_close_matches(key, list(exact), n=12, cutoff=0.34)
    near += [k for k in exact if len(k) > 1 and (k in key or key in k)]
    return list(dict.fromkeys(exact[k] for k in near))[:n]


def normalize(kind: str, value) -> str:
    """The stored (Chinese) term for what was typed, or UsageError naming the nearest known values."""
    zh, en = NAMES.get(kind, (kind, kind))
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):  # a file's object or list, not a term
        raise UsageError(f"{zh}应为文字，不是 {type(value).__name__}", f"{en} must be text, not {type(value).__name__}",
                         hint_zh=f"可选：{'、'.join(choices(kind))}", hint_en=f"one of: {', '.join(choices(kind))}")
    found = find(kind, value)
    if found:
        return found
    near = suggest(kind, value)
    choices_text = "、".join(choices(kind))
    if near and len(choices(kind)) > 12:  # a long list: the nearest values say more than all of them
        nearest = "、".join(near)
        raise UsageError(f"{zh}“{value}”无法识别，是否为：{nearest}？", f"unknown {en} '{value}'; did you mean {nearest}?")
    if near:
        nearest = "、".join(near)
        raise UsageError(f"{zh}“{value}”无法识别，是否为：{nearest}？可选：{choices_text}",
                         f"unknown {en} '{value}'; did you mean {nearest}? Choose one of: {choices_text}")
    raise UsageError(f"{zh}“{value}”无法识别，可选：{choices_text}", f"unknown {en} '{value}'; choose one of: {choices_text}")


def lenient(kind: str, value) -> tuple[str, bool]:
    """(stored value, True) for a known value; (the text as written, False) for an unknown one."""
    found = find(kind, value)
    return (found, True) if found else (str(value).strip(), False)


def national(kind: str, value: str | None) -> str:
    """How the national system writes a stored value (itself when the two agree or it is unknown)."""
    if not value:
        return ""
    return _national(kind).get(value, value)


@lru_cache(maxsize=None)
def _national(kind: str) -> dict[str, str]:
    return {e["zh"]: e["national"] for e in entries(kind) if "national" in e}


def facts(kind: str, value: str | None) -> dict:
    return _facts(kind).get(value or "", {})


@lru_cache(maxsize=None)
def _facts(kind: str) -> dict[str, dict]:
    return {e["zh"]: e.get("facts", {}) for e in entries(kind)}


@dataclass(frozen=True)
class School:
    """What a schooling value (在校生状况) says. A grade-level value keeps its grade (七年级 -> 7)."""

    stage: str | None = None  # preschool, primary, junior, senior, secondary_vocational, ..., or None
    grade: int | None = None  # 1-based school year counted from primary (七年级 = 7), where the value gives it
    in_school: bool = False
    in_compulsory_education: bool = False
    out_of_school: bool = False  # 失学或辍学


def school(value: str | None) -> School:
    f = facts("school_status", value)
    return School(f.get("stage"), f.get("grade"), f.get("in_school", False), f.get("compulsory", False),
                  f.get("out_of_school", False))


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
