"""义务教育有保障: no child aged 6–15 out of school (失学或辍学), unless for a recorded health reason
(因病 / 因残 — such children are served by 送教上门 and not counted as a failure).

The schooling value is read through its catalogue facts (catalog.school), so the national system's
grade-level values count as they should: 七年级 … 九年级 are in school, 失学或辍学 is out of school.

Fail: 13-year-old with 在校生状况 失学或辍学, reason 因家庭经济困难. Pass: the same child with reason 因病,
or in 八年级.
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field, model_validator

from grid_cli import catalog
from grid_cli.rules.base import HIGH, Context, Finding, finding
from grid_cli.rules.params import RuleConfig

ID = "education"
TITLE = ("义务教育保障", "compulsory education")
EXPLAIN_ZH = """义务教育有保障：6–15 岁的孩子不失学辍学；因病、因残（已送教上门）的不算未保障。

不通过：13 岁，在校生状况 失学辍学，原因 因家庭经济困难。通过：同一个孩子，原因 因病。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    min_age: int = Field(ge=0, le=20)
    max_age: int = Field(ge=0, le=20)
    excused_reasons: list[str]

    @model_validator(mode="after")
    def _band(self):
        if self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} > max_age {self.max_age}")
        return self


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    for m in ctx.members:
        age = m.age(ctx.today)
        if age is None or not config.min_age <= age <= config.max_age:
            continue
        if catalog.school(m.school_status).out_of_school and m.dropout_reason not in config.excused_reasons:
            reason = m.dropout_reason or "未填原因"
            yield finding(
                ctx, ID, HIGH,
                f"{m.name}（{age}岁）义务教育阶段失学辍学（{reason}）",
                f"{m.name} (aged {age}) is out of compulsory school "
                f"({catalog.label('dropout_reason', m.dropout_reason, 'en') or 'no reason recorded'})",
                member=m.id, age=age, reason=m.dropout_reason,
            )
