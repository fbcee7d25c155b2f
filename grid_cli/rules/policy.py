"""Policy settings that are not one rule's own: who counts as labour, the notice period, and which rule
parameters a grid (or township) may make stricter for itself. They live in data/rules.json beside the rules
and are set the same way (`grid rules set labour.skills '[...]'`), so none of them is a hard-coded constant
(DOMAIN.md: where no national figure exists, it is configuration).

Defaults and their sources:
  labour.skills    普通劳动力, 技能劳动力 and 弱劳动力或半劳动力: seed 003 counts 弱半劳动能力 as working capacity.
  labour.min_age/max_age  16–64, the working-age band of national practice.
  notice.days      5: the village public notice runs at least five days (national practice).
  local.stricter   the parameters a lower level may tighten, and which way is stricter; set by the county.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labour(Policy):
    """Who counts as labour: a resident of working age whose 劳动技能 is one of `skills`."""

    skills: list[str] = Field(min_length=1)
    min_age: int = Field(ge=10, le=30)
    max_age: int = Field(ge=40, le=80)

    @model_validator(mode="after")
    def _band(self) -> "Labour":
        if self.min_age > self.max_age:
            raise ValueError("min_age is above max_age")
        return self

    def working_age(self, member, on: dt.date) -> bool:
        age = member.age(on)
        return age is not None and self.min_age <= age <= self.max_age

    def able(self, member, on: dt.date) -> bool:
        return self.working_age(member, on) and member.labour_skill in self.skills

    def band(self) -> str:
        return f"{self.min_age}–{self.max_age}"


class Notice(Policy):
    """The village public notice (村级公示): its length in days."""

    days: int = Field(ge=5, le=90)


class Local(Policy):
    """Which `rule.param` a lower level may set stricter than the value from above, and which way is
    stricter ('lower' or 'higher'). Anything not listed stays as the county set it."""

    stricter: dict[str, Literal["lower", "higher"]]


POLICY: dict[str, tuple[type[Policy], tuple[str, str]]] = {
    "labour": (Labour, ("劳动力认定", "who counts as labour")),
    "notice": (Notice, ("村级公示", "village public notice")),
    "local": (Local, ("本地加严", "local stricter checks")),
}
