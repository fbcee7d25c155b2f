"""The year's rule configuration: the threshold and every rule's and policy section's parameters.

Defaults ship in data/rules.json. The year's rules are the county's: a ledger's `config` rows hold them,
keyed `threshold` and `rules.<section>.<param>`, and a value set higher up prevails over one set lower
down (ledger/apply.py). A grid or township may set a value the county has not set (it is marked as set
locally and reported up with the next bundle, so the hub sees it in `sync status`); it may never change one
the county set, except to make it stricter where `local.stricter` allows, as `local.rules.<section>.<param>`.
`grid rules show` says where each value came from.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from grid_cli.errors import DataError, Refused, UsageError
from grid_cli.fastjson import document
from grid_cli.parse import FIRST_YEAR, LAST_YEAR
from grid_cli.place import LEVEL_ZH, level_of

LOCAL = "local."          # prefix of a lower level's stricter value: local.rules.<section>.<param>
RULES_FILE = "rules_file"  # the county rule file a ledger adopted (name, county, sha256), set with its values
LEVEL_RANK = {"grid": 0, "township": 1, "county": 2}


class CountyRules(BaseModel):
    """A county rule file, as the county office writes it and `grid init --config` adopts it."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    threshold: int = Field(gt=0, le=100_000, strict=True, description="监测标准, yuan per person per year")
    county: str | None = None
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    _source: dict = PrivateAttr(default_factory=dict)

    def flat(self) -> dict[str, Any]:
        """The rule parameters as the year's config keys `rules.<section>.<param>`, with the file they came
        from (so `grid rules show` can say these values are the county's)."""
        values = {f"rules.{rule}.{param}": value for rule, params in self.rules.items() for param, value in params.items()}
        return {**values, **({RULES_FILE: self._source} if self._source else {})}


def sections() -> dict[str, Any]:
    """Every configurable section: the rules, then the policy sections."""
    from grid_cli.rules.policy import POLICY
    from grid_cli.rules.registry import RULES

    return {**RULES, **POLICY}


def params_of(section: str) -> list[str]:
    """The parameters a section has (for a rule: its own, not the policy sections it is given)."""
    from grid_cli.rules.policy import POLICY
    from grid_cli.rules.registry import RULES

    if section in POLICY:
        return list(POLICY[section][0].model_fields)
    module = RULES[section]
    return [p for p in module.Config.model_fields if p not in getattr(module, "USES", ())]


def read_county_rules(path: Path) -> CountyRules:
    path = Path(path)
    try:
        data = path.read_bytes()
        raw = document(data.decode("utf-8-sig"))  # refuses what cannot be kept (fastjson)
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
    known = sections()
    for rule, params in rules.rules.items():
        if rule not in known:
            raise DataError(f"规则文件 {path.name} 中没有规则 {rule}", f"rule file {path.name}: no rule named {rule}")
        unknown = set(params) - set(params_of(rule))
        if unknown:
            raise DataError(f"规则文件 {path.name}：规则 {rule} 没有参数 {'、'.join(sorted(unknown))}",
                            f"rule file {path.name}: rule {rule} has no parameter {', '.join(sorted(unknown))}")
    rule_configs(rules.flat())  # every value within its rule's limits
    rules._source = {"name": path.name, "county": rules.county, "sha256": hashlib.sha256(data).hexdigest()[:16]}
    return rules


def _stricter(value: Any, base: Any, way: str) -> bool:
    numbers = (int, float)
    if not isinstance(value, numbers) or not isinstance(base, numbers) or isinstance(value, bool):
        return False
    return value < base if way == "lower" else value > base


def rule_settings(year_config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Shipped defaults (data/rules.json) overlaid with the year's `rules.<section>.<param>` keys, then with
    the local stricter values that `local.stricter` allows and that are stricter than what they tighten."""
    from grid_cli.resources import load_json

    settings = copy.deepcopy(load_json("rules.json"))
    tighter = []
    for key, value in year_config.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "rules" and parts[1] in settings:
            settings[parts[1]][parts[2]] = value
        elif len(parts) == 4 and key.startswith(LOCAL + "rules.") and parts[2] in settings:
            tighter.append((parts[2], parts[3], value))
    allowed = settings.get("local", {}).get("stricter") or {}
    for section, param, value in tighter:
        way = allowed.get(f"{section}.{param}") if isinstance(allowed, dict) else None
        if way and _stricter(value, settings[section].get(param), way):
            settings[section][param] = value
    return settings


def rule_configs(year_config: dict[str, Any]) -> dict[str, BaseModel]:
    """Each rule's validated Config for the year (a rule that declares `USES` is given those policy
    sections too), and each policy section's. A bad value names the section and parameter."""
    from grid_cli.rules.policy import POLICY
    from grid_cli.rules.registry import RULES

    settings = rule_settings(year_config)
    checks = [(name, model, settings.get(name, {})) for name, (model, _title) in POLICY.items()]
    for rule_id, module in RULES.items():
        params = dict(settings.get(rule_id, {}))
        for name in getattr(module, "USES", ()):
            params[name] = settings.get(name, {})
        checks.append((rule_id, module.Config, params))
    return validated(checks, ("规则", "rule"), ("用 grid rules set 改正", "correct it with `grid rules set`"))


def validated(sections: list[tuple[str, type[BaseModel], dict]], noun: tuple[str, str],
              hint: tuple[str, str]) -> dict[str, BaseModel]:
    """Each (name, Config model, its settings) validated; the first bad value is refused naming its section
    and parameter (the rules' here, the data-quality checks' in checks/runner.py)."""
    configs: dict[str, BaseModel] = {}
    for name, model, params in sections:
        try:
            configs[name] = model.model_validate(params)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DataError(f"{noun[0]} {name}.{where} 的设置不正确：{first['msg']}",
                            f"{noun[1]} setting {name}.{where} is wrong: {first['msg']}",
                            hint_zh=hint[0], hint_en=hint[1]) from None
    return configs


def configs_in_force(ledger, on: dt.date | None = None) -> dict[str, BaseModel]:
    """The validated rule and policy configuration of the configured year in force on a day (that year,
    else the latest earlier one, else the first): a hub that has no threshold yet still has its policy."""
    from grid_cli.clock import today

    on = on or today()
    years = [r["year"] for r in ledger.query("SELECT DISTINCT year FROM config ORDER BY year")]
    year = max([y for y in years if y <= on.year] or years[:1] or [on.year])
    return rule_configs(ledger.config(year))


# -- where each value came from ----------------------------------------------------------------------
def _when(version: str) -> str:
    """The local date a version's clock stamp was made (what a person reads)."""
    from grid_cli.clock import show_time

    ms = int(version.split(".", 1)[0])
    return show_time(dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc), seconds=False)[:10]


@dataclass(frozen=True)
class Source:
    """Where a configured value came from: default | county | township | local | file | stricter."""

    kind: str
    level: str | None = None   # the level that set it (county, township, grid)
    at: str | None = None      # the local date it was set
    detail: str | None = None  # the rule file's name, or the value a stricter one tightens

    def label(self, lang: str) -> str:
        text = (_KIND_ZH if lang == "zh" else _KIND_EN)[self.kind]
        detail = self.detail
        if self.kind == "stricter" and detail:  # "county: 31" -> "县级设定 31"
            base, _, value = detail.partition(": ")
            detail = f"{(_KIND_ZH if lang == 'zh' else _KIND_EN)[base]} {value}"
        extra = [x for x in (detail, self.at) if x]
        if not extra:
            return text
        return f"{text}（{'，'.join(extra)}）" if lang == "zh" else f"{text} ({', '.join(extra)})"

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.kind, "level": self.level, "at": self.at, "detail": self.detail}


_KIND_ZH = {"default": "默认值", "county": "县级设定", "township": "乡镇设定", "local": "本地设定",
            "file": "县级规则文件", "stricter": "本地加严"}
_KIND_EN = {"default": "shipped default", "county": "set by the county", "township": "set by the township",
            "local": "set locally", "file": "county rule file", "stricter": "stricter local check"}


def _rows(ledger, year: int) -> dict[str, tuple[Any, str | None]]:
    return {r["key"]: (json.loads(r["value"]) if r["value"] is not None else None, json.loads(r["_v"]).get("value"))
            for r in ledger.query("SELECT key, value, _v FROM config WHERE year = ?", (year,))}


def _source_of(ledger, version: str | None, file_version: str | None, file_name: str | None) -> Source:
    from grid_cli.ledger.apply import origin_level

    if version is None:
        return Source("default")
    level = origin_level(ledger.conn, version.split(" ", 1)[1]) or "county"
    mine = level_of(ledger)
    if version == file_version and level == mine:
        return Source("file", "county", _when(version), file_name)
    if level == mine:
        return Source("county" if level == "county" else "local", level, _when(version))
    return Source(level if level in ("county", "township") else "local", level, _when(version))


def sources(ledger, year: int) -> dict[str, Source]:
    """For the threshold and every `section.param`: where its value in force came from."""
    rows = _rows(ledger, year)
    file_value, file_version = rows.get(RULES_FILE, (None, None))
    file_name = (file_value or {}).get("name") if isinstance(file_value, dict) else None
    settings = rule_settings({k: v for k, (v, _ver) in rows.items()})
    out = {"threshold": _source_of(ledger, rows.get("threshold", (None, None))[1], file_version, file_name)}
    for section, params in settings.items():
        for param, value in params.items():
            key = f"rules.{section}.{param}"
            base = _source_of(ledger, rows.get(key, (None, None))[1], file_version, file_name)
            local = rows.get(LOCAL + key)
            held = rows[key][0] if key in rows else None
            if local is not None and local[0] == value and held != value:  # the stricter value is the one in force
                out[f"{section}.{param}"] = Source("stricter", level_of(ledger), _when(local[1]),
                                                   f"{base.kind}: {json.dumps(held, ensure_ascii=False)}")
            else:
                out[f"{section}.{param}"] = base
    return out


# -- setting a value -----------------------------------------------------------------------------------
@dataclass
class Setting:
    key: str          # threshold | section.param
    value: Any
    stricter: bool    # written as a stricter local check
    changed: bool


def parse_key(key: str) -> tuple[str, str] | None:
    """'threshold' -> None; 'income_fall.share' -> ('income_fall', 'share'); a usage error otherwise."""
    if key == "threshold":
        return None
    section, _, param = key.partition(".")
    known = sections()
    if section not in known or not param:
        raise UsageError(f"没有设置项“{key}”；见 grid rules show", f"no setting '{key}'; see `grid rules show`")
    names = params_of(section)
    if param not in names:
        raise UsageError(f"规则 {section} 没有参数 {param}（可用：{', '.join(names)}）",
                         f"rule {section} has no parameter {param} ({', '.join(names)})")
    return section, param


def set_value(ledger, key: str, value: Any, year: int) -> Setting:
    """Set the year's threshold or a `section.param`. The county sets the year's rules; a grid or township
    may set what the county has not set (reported up as a local setting) and, where `local.stricter`
    allows, a stricter value than the county's; anything else the county set is refused."""
    from grid_cli.clock import today
    from grid_cli.ledger.apply import origin_level

    target = parse_key(key)
    config_key = "threshold" if target is None else f"rules.{target[0]}.{target[1]}"
    current = ledger.config(year)
    try:  # refuse a bad value before writing anything
        rule_configs({**current, config_key: value})
    except DataError as error:
        raise UsageError(error.zh, error.en) from None
    mine = level_of(ledger)
    held = _rows(ledger, year).get(config_key)
    above = None
    if held is not None and held[1]:
        level = origin_level(ledger.conn, held[1].split(" ", 1)[1]) or "county"
        if LEVEL_RANK.get(level, 2) > LEVEL_RANK.get(mine, 0):
            above = (level, _when(held[1]))
    stricter = False
    if above is not None:
        way = (rule_settings(current).get("local", {}).get("stricter") or {}).get(key) if target else None
        who_zh, who_en = LEVEL_ZH.get(above[0], above[0]), above[0]
        if not way:
            raise Refused(f"{year}年 {key} 由{who_zh}于 {above[1]} 设定，{LEVEL_ZH[mine]}账本不能修改",
                          f"{key} for {year} was set by the {who_en} on {above[1]}; a {mine} ledger cannot change it",
                          hint_zh="如需调整请报县里；见 grid rules show", hint_en="ask the county; see `grid rules show`")
        if not _stricter(value, held[0], way):
            raise Refused(f"{key} 只能在{who_zh}设定的 {held[0]} 基础上加严（取值应{'更小' if way == 'lower' else '更大'}）",
                          f"{key} may only be made stricter than the {who_en}'s {held[0]} ({way} values)")
        config_key, stricter = LOCAL + config_key, True
    with ledger.write() as w:
        changed = bool(w.set_config(year, {config_key: value}))
        if changed and mine != "county":  # the level above sees it in `sync status`
            w.event("local_rule", None, {"year": year, "key": key, "value": value, "stricter": stricter},
                    date=today().isoformat())
    return Setting(key, value, stricter, changed)


def local_deviations(ledger) -> list[dict[str, Any]]:
    """At a hub: the values the ledgers below have set for themselves (their latest report of each key),
    where they differ from what this ledger has in force."""
    mine = ledger.replica_id
    rows = ledger.query("SELECT e.data, e.origin, e.hlc, r.level, r.code FROM events e LEFT JOIN replicas r"
                        " ON r.id = e.origin WHERE e.kind = 'local_rule' AND e.household_id IS NULL AND e.origin != ?"
                        " ORDER BY e.hlc, e.id", (mine,))
    latest: dict[tuple, dict] = {}
    for row in rows:
        data = json.loads(row["data"])
        if not isinstance(data, dict) or not isinstance(data.get("key"), str) or not isinstance(data.get("year"), int):
            continue
        latest[(row["origin"], data["year"], data["key"])] = {**data, "level": row["level"], "code": row["code"],
                                                             "at": _when(row["hlc"])}
    out = []
    for (_origin, year, key), d in sorted(latest.items(), key=lambda kv: (kv[1]["code"] or "", kv[0][1], kv[0][2])):
        config = ledger.config(year)
        if key == "threshold":
            here = config.get("threshold")
        else:
            section, _, param = key.partition(".")
            here = rule_settings(config).get(section, {}).get(param)
        if d.get("value") != here:
            out.append({"level": d["level"], "code": d["code"], "year": year, "key": key, "value": d.get("value"),
                        "here": here, "stricter": bool(d.get("stricter")), "at": d["at"]})
    return out
