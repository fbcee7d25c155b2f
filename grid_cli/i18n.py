"""Chinese or English user-facing text.

Each message is written at its call site in both languages: `tr("已保存", "Saved")`. The language is
chosen once per process: `--lang`, else GRID_LANG, else the locale (Chinese locale -> zh, otherwise en).
"""

from __future__ import annotations

import locale
import os

_lang: str | None = None


def detect() -> str:
    for var in ("GRID_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:  # Windows has no LANG; ask the OS
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    return "zh" if name.lower().startswith(("zh", "chinese")) else "en"


def set_lang(lang: str | None) -> None:
    global _lang
    _lang = lang if lang in ("zh", "en") else None


def lang() -> str:
    global _lang
    if _lang is None:
        _lang = detect()
    return _lang


def tr(zh: str, en: str, **kw) -> str:
    text = zh if lang() == "zh" else en
    return text.format(**kw) if kw else text


# -- words every printout shares ----------------------------------------------------------------------
GRADE_LABEL = {"red": ("红", "red"), "yellow": ("黄", "yellow"), "green": ("绿", "green")}


def yes_no_zh(value) -> str:
    """是 / 否 as the national system's forms write them (a workbook column), "" for no answer."""
    if value is None:
        return ""
    return "是" if value else "否"


def pct(value: float | None, none: str = "") -> str:
    """A share as a percentage with one decimal ("6.6%"); `none` for no value."""
    return none if value is None else f"{value * 100:.1f}%"
