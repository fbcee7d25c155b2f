"""The year's rule configuration: the threshold (set at `grid init` or by the county's rule file) and
each rule's parameters. Defaults ship in data/; a ledger's `config` rows override them per year."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grid_cli.errors import DataError
from grid_cli.fastjson import document
from grid_cli.parse import FIRST_YEAR, LAST_YEAR


class CountyRules(BaseModel):
    """A county rule file, as the county office writes it and `grid init --config` adopts it."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    threshold: int = Field(gt=0, le=100_000, strict=True, description="监测标准, yuan per person per year")
    county: str | None = None
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def flat(self) -> dict[str, Any]:
        """The rule parameters as the year's config keys `rules.<rule>.<param>`."""
        return {f"rules.{rule}.{param}": value for rule, params in self.rules.items() for param, value in params.items()}


def read_county_rules(path: Path) -> CountyRules:
    path = Path(path)
    try:
        raw = document(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise DataError(f"找不到规则文件：{path}", f"no rule file at {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"规则文件不是有效的 JSON：{path}（{error}）", f"the rule file is not valid JSON: {path} ({error})",
                        hint_zh="请向县里索取原文件", hint_en="ask the county office for the original file") from None
    try:
        rules = CountyRules.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DataError(f"规则文件 {path.name} 的 {where} 不正确：{first['msg']}",
                        f"rule file {path.name}: {where} is wrong: {first['msg']}") from None
    from grid_cli.rules.registry import RULES

    for rule, params in rules.rules.items():
        if rule not in RULES:
            raise DataError(f"规则文件 {path.name} 中没有规则 {rule}", f"rule file {path.name}: no rule named {rule}")
        unknown = set(params) - set(RULES[rule].Config.model_fields)
        if unknown:
            raise DataError(f"规则文件 {path.name}：规则 {rule} 没有参数 {'、'.join(sorted(unknown))}",
                            f"rule file {path.name}: rule {rule} has no parameter {', '.join(sorted(unknown))}")
    rule_configs(rules.flat())  # every value within its rule's limits
    return rules


def rule_settings(year_config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Shipped defaults (data/rules.json) overlaid with the year's `rules.<rule>.<param>` config keys."""
    import copy

    from grid_cli.resources import load_json

    settings = copy.deepcopy(load_json("rules.json"))
    for key, value in year_config.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "rules" and parts[1] in settings:
            settings[parts[1]][parts[2]] = value
    return settings


def rule_configs(year_config: dict[str, Any]) -> dict[str, BaseModel]:
    """Each rule's validated Config for the year. A bad value names the rule and parameter."""
    from grid_cli.rules.registry import RULES

    settings = rule_settings(year_config)
    configs = {}
    for rule_id, module in RULES.items():
        try:
            configs[rule_id] = module.Config.model_validate(settings.get(rule_id, {}))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DataError(f"规则 {rule_id}.{where} 的设置不正确：{first['msg']}",
                            f"rule setting {rule_id}.{where} is wrong: {first['msg']}",
                            hint_zh="用 grid rules set 改正", hint_en="correct it with `grid rules set`") from None
    return configs
