"""住房安全有保障: house safety grade A or B is safe; C (局部危房) and D (整幢危房) fail.

Fail: 危房等级 C at the latest visit. Pass: B.
"""

from __future__ import annotations

from typing import Iterator

from grid_cli.rules.base import HIGH, Context, Finding, RuleConfig, finding

ID = "housing"
TITLE = ("住房安全保障", "safe housing")


class Config(RuleConfig):
    unsafe_grades: list[str]


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    grade = next((v.house_grade for v in reversed(ctx.visits) if v.house_grade), None)
    if grade in config.unsafe_grades:
        label = {"C": "局部危房", "D": "整幢危房"}.get(grade, "危房")
        yield finding(ctx, ID, HIGH, f"住房安全等级为 {grade} 级（{label}）",
                      f"house safety grade {grade} ({'locally unsafe' if grade == 'C' else 'unsafe'})", grade=grade)
