"""住房安全有保障: house safety grade A or B is safe; C (局部危房) and D (整幢危房) fail.

Fail: 危房等级 C at the latest visit. Pass: B.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import HIGH, Context, Finding, finding
from grid_cli.rules.params import RuleConfig

ID = "housing"
TITLE = ("住房安全保障", "safe housing")
EXPLAIN_ZH = """住房安全有保障：危房等级 A、B 级为安全；C 级（局部危房）、D 级（整幢危房）为不安全。

不通过：最近一次走访危房等级 C。通过：B。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    unsafe_grades: list[str]


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    recorded = ctx.visits.latest("house_grade")
    grade = recorded.house_grade if recorded else None
    if grade in config.unsafe_grades:
        label = {"C": "局部危房", "D": "整幢危房"}.get(grade, "危房")
        yield finding(ctx, ID, HIGH, f"住房安全等级为 {grade} 级（{label}）",
                      f"house safety grade {grade} ({'locally unsafe' if grade == 'C' else 'unsafe'})", grade=grade)
