"""Every rule's parameters, validated (pydantic): defaults from data/rules.json, overrides from the year's
config (rules/config.py). Kept apart from rules/base.py, so that reading stored findings (findings.py,
lists.py) loads neither these models nor the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from grid_cli.rules.policy import Labour

if TYPE_CHECKING:
    from grid_cli.rules.base import Context


class RuleConfig(BaseModel):
    """Every rule's parameters; defaults come from data/rules.json, overrides from the year's config."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool


class LabourRuleConfig(RuleConfig):
    """A rule about the labour of the household types in `applies_to` ("监测户" stands for every monitored
    household); who counts as labour is the `labour` policy."""

    applies_to: list[str]
    labour: Labour

    def concerns(self, ctx: Context) -> bool:
        return ctx.hh_type in self.applies_to or (ctx.monitoring.monitored and "监测户" in self.applies_to)
