"""What every data-quality check sees and returns.

A check (grid_cli/checks/<check>.py, like the rules in grid_cli/rules/) has an ID, a TITLE (zh, en), an AREA,
a docstring that says what it checks with a passing and a failing example, a pydantic `Config` and
`check(facts, config)` yielding `Problem`s. It is written as a LEVEL (member or household), `where(config)`
(a SQL predicate over that level's fact row, facts.py) and `message(row, config)`: `check()` runs it alone,
`grid check` runs them all in one fused pass per level. Problems are values, never exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

AREAS = {
    "identity": ("身份信息", "identity"),
    "household": ("家庭构成", "household composition"),
    "schooling": ("教育", "schooling"),
    "labour": ("劳动与健康", "labour and health"),
    "income": ("收入", "income"),
    "monitoring": ("监测", "monitoring"),
    "assistance": ("帮扶", "assistance"),
}


class CheckConfig(BaseModel):
    """Every check's settings: defaults in data/checks.json, overridden per year by `checks.<id>.<param>`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    national: list[str] = []  # the national system's 疑点 numbers this check corresponds to (where known)


@dataclass(frozen=True)
class Problem:
    check: str
    household_id: str
    hh_no: str
    village: str | None
    grid: str | None
    zh: str
    en: str
    member_id: str | None = None
    name: str | None = None  # the member's (or the head's) name
    id_number: str | None = None  # shown masked wherever a problem is printed or written
    facts: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def as_dict(self, masked: bool = True) -> dict[str, Any]:
        from grid_cli.idcard import mask_id

        return {"check": self.check, "household_id": self.household_id, "hh_no": self.hh_no, "village": self.village,
                "grid": self.grid, "member_id": self.member_id, "name": self.name,
                "id_number": mask_id(self.id_number) if masked else self.id_number,
                "message_zh": self.zh, "message_en": self.en, "facts": self.facts}


def problem(check: str, row, zh: str, en: str, **facts: Any) -> Problem:
    """A problem about the row of a fact table (a member's row names the member)."""
    keys = row.keys()
    member = "member_id" in keys
    return Problem(check, row["household_id"], row["hh_no"], row["village"], row["grid"], zh, en,
                   row["member_id"] if member else None, row["name"] if "name" in keys else None,
                   row["id_number"] if member else None, facts)
