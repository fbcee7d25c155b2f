"""饮水安全 (农村饮水安全评价准则, 2023): quantity ≥35 L/person/day (≥20 in dry areas); convenience:
piped in, or one trip ≤20 min, or ≤800 m horizontal, or ≤80 m vertical; reliability: supply cut
≤36 days a year; quality: a test report or the on-site look-smell-ask-taste check is fine.

Fail: 30 L/person/day in a non-dry area. Pass: 35 L. Each failed criterion is named in the message.
"""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from grid_cli.rules.base import HIGH, Context, Finding, finding
from grid_cli.rules.params import RuleConfig

ID = "water"
TITLE = ("饮水安全", "safe drinking water")
EXPLAIN_ZH = """饮水安全（农村饮水安全评价准则，2023）：水量每人每天不少于 35 升（干旱缺水地区 20 升）；方便程度：
自来水入户，或单次取水往返不超过 20 分钟，或水平距离不超过 800 米，或垂直距离不超过 80 米；保证率：
一年断水不超过 36 天；水质：有检测报告，或现场“看、闻、问、尝”无异常。

不通过：非干旱地区每人每天 30 升。通过：35 升。未达标的每一项都写在提示里。"""  # `grid rules explain` in Chinese (the docstring is its English)


class Config(RuleConfig):
    litres: int = Field(ge=0, le=1000)
    litres_dry: int = Field(ge=0, le=1000)
    trip_minutes: int = Field(ge=0, le=600)
    distance_m: int = Field(ge=0, le=100_000)
    vertical_m: int = Field(ge=0, le=5000)
    cut_days: int = Field(ge=0, le=366)


def problems(water: dict, config: Config) -> list[tuple[str, str]]:
    found = []
    litres = water.get("litres_per_person_day")
    need = config.litres_dry if water.get("dry_area") else config.litres
    if litres is not None and litres < need:
        found.append((f"水量 {litres} 升/人·天 < {need} 升", f"quantity {litres} L/person/day < {need} L"))
    if water.get("piped") is False:
        ok = any(water.get(k) is not None and water[k] <= limit for k, limit in
                 (("trip_minutes", config.trip_minutes), ("distance_m", config.distance_m), ("vertical_m", config.vertical_m)))
        known = any(water.get(k) is not None for k in ("trip_minutes", "distance_m", "vertical_m"))
        if known and not ok:
            found.append((f"取水不便（单次往返超过 {config.trip_minutes} 分钟 / {config.distance_m} 米 / 垂直 {config.vertical_m} 米）",
                          f"water is far (more than {config.trip_minutes} min / {config.distance_m} m / {config.vertical_m} m vertical)"))
    cut = water.get("cut_days")
    if cut is not None and cut > config.cut_days:
        found.append((f"年断水 {cut} 天 > {config.cut_days} 天", f"supply cut {cut} days a year > {config.cut_days}"))
    if water.get("quality_ok") is False:
        found.append(("水质不达标", "water quality fails"))
    return found


def check(ctx: Context, config: Config) -> Iterator[Finding]:
    recorded = ctx.visits.latest("water")
    if recorded is None:
        return
    water = recorded.water
    found = problems(water, config)
    if found:
        yield finding(ctx, ID, HIGH, "饮水出现安全问题：" + "；".join(z for z, _ in found),
                      "drinking water unsafe: " + "; ".join(e for _, e in found), problems=[z for z, _ in found])
