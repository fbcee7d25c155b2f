"""The catalogue as people read it: `grid check list`, the README's table (generated from the modules and
data/checks.json; tests/checks/test_catalogue.py fails if the README drifts), and `grid check set`.

    python -m grid_cli.checks.catalogue     prints the README table
"""

from __future__ import annotations

import json
from typing import Any

from grid_cli.checks.base import AREAS, CheckConfig
from grid_cli.errors import UsageError

_BASE = set(CheckConfig.model_fields)


def _own_settings(config) -> str:
    own = {k: v for k, v in config.model_dump().items() if k not in _BASE}
    return ", ".join(f"{k} {json.dumps(v, ensure_ascii=False) if not isinstance(v, (int, float)) else v}"
                     for k, v in own.items())


def rows(ledger=None) -> list[dict[str, Any]]:
    """Each check with its settings: the year's in force with a ledger, else the shipped defaults."""
    from grid_cli.checks.registry import CHECKS
    from grid_cli.checks.runner import configs, year_config
    from grid_cli.clock import today
    from grid_cli.i18n import lang

    found = configs(year_config(ledger, today())[0] if ledger is not None else {})
    zh = lang() == "zh"
    return [{"check": check_id, "area": AREAS[m.AREA][0 if zh else 1], "title": m.TITLE[0 if zh else 1],
             "national": list(found[check_id].national), "enabled": found[check_id].enabled,
             "settings": _own_settings(found[check_id])} for check_id, m in CHECKS.items()]


def markdown() -> str:
    """The README's catalogue table (zh titles, English areas; shipped defaults)."""
    from grid_cli.checks.registry import CHECKS
    from grid_cli.checks.runner import configs

    found = configs({})
    lines = ["| check | area | checks | national no. | settings |", "|---|---|---|---|---|"]
    for check_id, m in CHECKS.items():
        lines.append(f"| {check_id} | {AREAS[m.AREA][1]} | {m.TITLE[0]} ({m.TITLE[1]}) | "
                     f"{' '.join(found[check_id].national) or '—'} | {_own_settings(found[check_id]) or '—'} |")
    return "\n".join(lines) + "\n"


def set_setting(ledger, check: str, param: str, value: str, year: int) -> dict[str, Any]:
    from grid_cli.checks.registry import CHECKS
    from grid_cli.checks.runner import configs

    if check not in CHECKS:
        raise UsageError(f"没有检查项 {check}（见 grid check list）", f"no check {check} (see `grid check list`)")
    fields = CHECKS[check].Config.model_fields
    if param not in fields:
        raise UsageError(f"检查项 {check} 没有设置 {param}（有：{'、'.join(fields)}）",
                         f"check {check} has no setting {param} (it has: {', '.join(fields)})")
    if param == "national":
        parsed: Any = [v.strip() for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]
    else:
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = value
    configs({**ledger.config(year), f"checks.{check}.{param}": parsed})  # refused here if out of its type
    with ledger.write() as w:
        w.set_config(year, {f"checks.{check}.{param}": parsed})
    return {"year": year, "value": parsed}


if __name__ == "__main__":
    print(markdown(), end="")
