"""Chinese resident ID numbers (GB 11643-1999), the certificate forms the national system also holds
in 证件号码, and its placeholder numbers.

The 18th character is an ISO 7064 MOD 11-2 check: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over the
first 17 digits, S mod 11 indexes "10X98765432". A disability certificate number is the ID followed by
two characters (category digit 1-7 and grade digit 1-4), e.g. 11010519491231002X42; the national
system's exports also hold 22-character numbers: the ID followed by four characters, the first two
again category and grade. Their ID part is checked the same way.

A number whose first six characters are 999999 is a placeholder the national system gives a person
without an ID number: accepted as written, with no check digit, birth date or sex to read from it, and
never taken as proof that two rows are the same person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from grid_cli.errors import UsageError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
PLACEHOLDER = "999999"
LENGTHS = (18, 20, 22)


def check_char(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


@dataclass(frozen=True)
class IdInfo:
    number: str  # normalized: no spaces, upper-case X; 18, 20 or 22 characters (a placeholder as written)
    birth_date: dt.date | None  # None for a placeholder
    sex: str | None  # 男 / 女; None for a placeholder
    disability_category: int | None = None
    disability_grade: int | None = None
    placeholder: bool = False


def id_key(raw) -> str:
    """The normalised form members are matched by (what `members_id_key` indexes: upper(id_number))."""
    return "".join(str(raw).split()).upper()


def is_placeholder(number: str | None) -> bool:
    return bool(number) and id_key(number).startswith(PLACEHOLDER)


def parse_id(raw: str, *, today: dt.date | None = None) -> IdInfo:
    """Validate and decode an ID number; raise UsageError saying exactly what is wrong."""
    number = id_key(raw)
    if number.startswith(PLACEHOLDER) and 6 < len(number) <= 22 and number.isalnum():
        return IdInfo(number, None, None, placeholder=True)
    if len(number) not in LENGTHS:
        raise UsageError(
            f"证件号码 {mask_id(number)} 应为18位（残疾人证为20或22位），实为{len(number)}位",
            f"ID number {mask_id(number)} must have 18 characters (20 or 22 for a disability certificate), it has {len(number)}",
        )
    body, check, extra = number[:17], number[17], number[18:20]
    if not body.isdigit() or not (check.isdigit() or check == "X"):
        raise UsageError(
            f"证件号码 {mask_id(number)} 含有非法字符（前17位须为数字，第18位为数字或X）",
            f"ID number {mask_id(number)} has invalid characters (17 digits then a digit or X)",
        )
    expected = check_char(body)
    if check != expected:
        raise UsageError(
            f"证件号码 {mask_id(number)} 校验位不对，号码有误，请对照证件逐位核对",
            f"ID number {mask_id(number)} fails its check digit: a digit is wrong; compare it with the card digit by digit",
        )
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth > (today or dt.date.today()) or birth.year < 1880:
        raise UsageError(
            f"证件号码 {mask_id(number)} 中的出生日期无效",
            f"ID number {mask_id(number)} holds an impossible birth date",
        )
    category = grade = None
    if extra:
        if not (number[18:].isalnum() and extra.isdigit() and 1 <= int(extra[0]) <= 7 and 1 <= int(extra[1]) <= 4):
            raise UsageError(
                f"残疾证号 {mask_id(number)} 的第19、20位应为残疾类别(1-7)和等级(1-4)",
                f"disability certificate {mask_id(number)}: characters 19-20 must be category 1-7 and grade 1-4",
            )
        category, grade = int(extra[0]), int(extra[1])
    sex = "男" if int(body[16]) % 2 else "女"
    return IdInfo(number, birth, sex, category, grade)


def is_valid(raw: str) -> bool:
    try:
        parse_id(raw)
        return True
    except UsageError:
        return False


def mask_id(number: str | None) -> str:
    """Keep the first 6 and last 4 characters: 110105********002X."""
    if not number:
        return ""
    number = str(number)
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """Keep the first 3 and last 4 digits of a phone number: 138****5678."""
    if not phone:
        return ""
    phone = str(phone)
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def shown(text: str) -> str:
    """What a message may repeat of something the user typed: an ID-number-like text masked."""
    text = str(text)
    return mask_id(text) if 15 <= len(text) <= 22 and text[:15].isdigit() else text
