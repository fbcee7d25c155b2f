"""Reading what people type or what a spreadsheet holds: dates, yes/no, money, phone numbers.

Each parser returns a clean value or raises UsageError with a message that names the value.
"""

from __future__ import annotations

import datetime as dt
import re

from grid_cli.errors import UsageError

_CN_DATE = re.compile(r"^\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?\s*$")
_CN_MONTH = re.compile(r"^\s*(\d{4})\s*[年./-]?\s*(\d{1,2})\s*月?\s*$")
EXCEL_EPOCH = dt.date(1899, 12, 30)
# The years of this monitoring (防止返贫动态监测 began in 2020): the bounds of a monitoring year, a month or a
# quarter anyone asks about, a visit date.
FIRST_YEAR, LAST_YEAR = 2020, 2100


def monitoring_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(f"年度 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间",
                         f"the year {year} is not between {FIRST_YEAR} and {LAST_YEAR}")
    return year


def parse_date(value, *, allow_future: bool = False, today: dt.date | None = None) -> dt.date:
    """2026-11-22, 2026/11/22, 2026.11.22, 2026年11月22日, 20261122, an Excel serial or a datetime."""
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and 1 < value < 100000:
        result = EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        text = str(value).strip()
        match = _CN_DATE.match(text)
        try:
            if match:
                result = dt.date(*map(int, match.groups()))
            elif re.fullmatch(r"\d{8}", text):
                result = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            elif re.fullmatch(r"\d{8}\.0", text):  # a date number read from a spreadsheet as float
                result = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
            else:
                from dateutil import parser as dateparser  # only when the simple forms fail

                # a part left out ('5', '2023', '11/05') would be filled from today: refuse instead
                first, second = (dateparser.parse(text, yearfirst=True, dayfirst=False, default=dt.datetime(y, m, d))
                                 for y, m, d in ((2000, 1, 1), (2004, 2, 2)))
                if first != second:
                    raise ValueError(text)
                result = first.date()
        except (ValueError, OverflowError):
            raise UsageError(
                f"无法识别日期“{text}”，请写成 2026-11-22 或 2026年11月22日",
                f"cannot read the date '{text}'; write it as 2026-11-22",
            ) from None
    if not allow_future:
        from grid_cli.clock import today as clock_today

        limit = today or clock_today()
        if result > limit:
            raise UsageError(
                f"日期 {result.isoformat()} 晚于今天（{limit.isoformat()}），请核对",
                f"the date {result.isoformat()} is in the future (today is {limit.isoformat()}); please check it",
            )
    return result


def stored_date(value) -> dt.date | None:
    """A date as the ledger stores it (ISO text), or None for none or a malformed one: what readers of
    events and members use, where a bad value from an old or hostile record must not stop the reading."""
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def parse_month(value) -> str:
    """2026-11, 202611, 2026年11月 -> '2026-11'."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{monitoring_year(value.year):04d}-{value.month:02d}"
    text = str(value).strip()
    match = _CN_MONTH.match(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{monitoring_year(int(match.group(1))):04d}-{int(match.group(2)):02d}"
    raise UsageError(
        f"无法识别月份“{text}”，请写成 2026-11",
        f"cannot read the month '{text}'; write it as 2026-11",
    )


_YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "t"}
_NO = {"否", "无", "n", "no", "false", "0", "×", "x", "f", "未"}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text.endswith(".0"):
        text = text[:-2]
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise UsageError(f"应填“是”或“否”，而不是“{value}”", f"expected yes/no (是/否), got '{value}'")


def parse_money(value, *, what: tuple[str, str] = ("金额", "amount")) -> int:
    """Whole yuan, never negative: '6,240', '6240元', 6240.0 -> 6240. `what` names it (zh, en)."""
    zh, en = what
    if isinstance(value, bool):
        raise UsageError(f"{zh}应为金额", f"{en} must be an amount")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元").strip()
        try:
            number = float(text)
        except ValueError:
            raise UsageError(f"{zh}“{value}”不是数字", f"{en} '{value}' is not a number") from None
    if number != number:  # NaN
        raise UsageError(f"{zh}“{value}”不是数字", f"{en} '{value}' is not a number")
    if number < 0:
        raise UsageError(f"{zh}不能为负数（{value}）", f"{en} cannot be negative ({value})")
    if number > 100_000_000:
        raise UsageError(f"{zh}过大（{value}），请核对", f"{en} is implausibly large ({value}); please check")
    return int(round(number))


def parse_phone(value) -> str:
    text = re.sub(r"[\s-]", "", str(value).strip())
    if text.endswith(".0"):
        text = text[:-2]
    if not re.fullmatch(r"\+?\d{7,13}", text):
        raise UsageError(f"电话号码“{value}”格式不对", f"phone number '{value}' is not valid")
    return text


# -- text that cannot be stored, printed or exported ---------------------------------------------------
# C0 and C1 control characters and DEL (a \x01 pasted into a name breaks every .xlsx export, an ESC
# rewrites the screen of whoever lists it) and lone surrogates (bytes that were not UTF-8: SQLite cannot
# store them). Tab, newline and carriage return are allowed where a field holds free text (notes,
# addresses), nowhere else.
_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The same in JSON text as json.dumps writes it (\u00XX and \b, \f escapes, or the raw character): a quick
# test that lets the rare hit be confirmed on the decoded value.
_BAD_IN_JSON = re.compile(r"\\u00[0189]|\\u007[fF]|\\[bf]|[\x7f-\x9f\ud800-\udfff]")


def _shown(char: str) -> str:
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def bad_char(text: str, *, lines: bool = True) -> str | None:
    """The first character of `text` that may not be stored, as it would be escaped (\\x01), or None."""
    found = (_BAD if lines else _BAD_IN_LINE).search(text)
    return _shown(found.group()) if found else None


def _refuse(char: str, zh: str, en: str) -> UsageError:
    if char.startswith("\\ud"):
        return UsageError(f"{zh}含有无法识别的字符（不是 UTF-8 编码的文字）", f"{en} holds characters that are not UTF-8 text",
                          hint_zh="请重新输入", hint_en="type it again")
    return UsageError(f"{zh}含有控制字符 {char}（看不见的字符，多由复制粘贴带入）",
                      f"{en} holds the control character {char} (invisible, usually pasted in)",
                      hint_zh="删去后重新输入", hint_en="remove it and type the text again")


def check_text(text: str, what: tuple[str, str], *, lines: bool = False) -> str:
    """`text`, or a UsageError naming the field `what` (zh, en) when it holds a control character."""
    char = bad_char(text, lines=lines)
    if char is not None:
        raise _refuse(char, *what)
    return text


def bad_text(value) -> tuple[str, str] | None:
    """Where in a decoded JSON value (dict keys included) a string holds a character `bad_char` refuses, and
    which: (a dotted path such as 'notes' or 'members.3.health', '' for the value itself; the character), or
    None if there is none."""
    if isinstance(value, str):
        char = bad_char(value)
        return ("", char) if char else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        char = bad_char(key) if isinstance(key, str) else None
        if char:
            return str(key), char
        inner = bad_text(item)
        if inner is not None:
            return (f"{key}.{inner[0]}" if inner[0] else str(key)), inner[1]
    return None


def check_json(text: str, value, what: tuple[str, str] | None = None) -> None:
    """Refuse `value`, whose JSON spelling (json.dumps, ensure_ascii=False) is `text`, when a string in it
    holds a character `bad_char` refuses: a quick test on the text, the walk only when it hits. The error
    names the path in `value`, or `what` (zh, en)."""
    if not _BAD_IN_JSON.search(text):
        return
    found = bad_text(value)
    if found is not None:
        path, char = found
        path = _BAD_IN_LINE.sub(lambda m: _shown(m.group()), path)  # a key may hold the character itself
        zh, en = what or (f"字段 {path}", f"the field {path}")
        raise _refuse(char, zh, en)
