"""`grid init` and `grid info`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import JsonOutOption, console, interactive, ledger_path, level_name, need, open_ledger, print_json, say
from grid_cli.errors import UsageError
from grid_cli.i18n import tr


def place_code(text) -> str:
    """A grid code: it names bundle files, so nothing a Windows file name cannot hold."""
    code = str(text).strip()
    if not code or any(c in code for c in '/\\:*?"<>|') or code.startswith("."):
        raise UsageError(f"编码“{code}”不能含 / \\ : * ? \" < > | 等字符", f"the code '{code}' may not contain / \\ : * ? \" < > |")
    return code


def _threshold(text) -> int:
    from grid_cli.parse import parse_money

    value = parse_money(text, what=("监测标准", "threshold"))
    if value < 1000:
        raise UsageError(f"监测标准 {value} 元/人/年 太低，请核对（例：7600）",
                         f"a threshold of {value} yuan/person/year is implausibly low; please check (e.g. 7600)")
    return value


def _year_rules(config: Path | None, threshold: str | None, year: int | None) -> tuple[int | None, dict | None]:
    """The ledger's year and that year's first configuration, from a county rule file (`--config`: the
    threshold and every rule parameter, as `rules.<rule>.<param>` keys) or from `--threshold`; None when
    neither was given."""
    if config:
        from grid_cli.rules.config import read_county_rules

        rules = read_county_rules(config)
        if year and year != rules.year:
            raise UsageError(f"--year {year} 与规则文件的年度 {rules.year} 不一致",
                             f"--year {year} differs from the rule file's year {rules.year}")
        if threshold:
            raise UsageError("已用 --config 采用县级规则，不要再给 --threshold",
                             "--config already sets the threshold; drop --threshold")
        return rules.year, {"threshold": rules.threshold, **rules.flat()}
    return year, {"threshold": _threshold(threshold)} if threshold else None


def make_keys(ledger) -> None:
    """Every ledger made by `grid init` gets its keys: it then sends and takes only sealed bundles."""
    from grid_cli.security.keys import create_keys

    keys = create_keys(ledger)
    say("密钥指纹 {fp}（私钥文件 {path}，切勿外传）；登记见 grid enroll / grid trust",
        "Key fingerprint {fp} (private key file {path}; never send it); enrolment: `grid enroll` / `grid trust`",
        fp=keys.fingerprint, path=keys.path)


def init_command(
    grid_code: Annotated[Optional[str], typer.Option("--grid", help="网格编码 grid code [必填 required for a grid]")] = None,
    village: Annotated[Optional[str], typer.Option("--village", help="行政村 village [必填 required for a grid]")] = None,
    township: Annotated[Optional[str], typer.Option("--township", help="乡镇 township [必填 required for a grid or a township]")] = None,
    county: Annotated[Optional[str], typer.Option("--county", help="县 county [必填 required]")] = None,
    monitor: Annotated[Optional[str], typer.Option("--monitor", help="网格员姓名 monitor's name [必填 required for a grid]")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="网格员电话 monitor's phone [必填 required for a grid]")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="监测年度 monitoring year (默认今年 default: this year)")] = None,
    threshold: Annotated[Optional[str], typer.Option("--threshold", help="监测标准 yuan/person/year [必填 required for a grid or a county, unless --config; a township takes the county's]")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="县级规则文件 the county rule file (JSON) to adopt")] = None,
    level: Annotated[str, typer.Option("--level", help="层级 level: grid 网格 | township 乡镇 | county 县 (乡镇和县合并下级的同步包 hubs merge the bundles below them)")] = "grid",
    grids: Annotated[Optional[list[str]], typer.Option("--grids", help="乡镇下辖网格 a township's grids, repeatable or comma-separated [必填 required for a township]")] = None,
    townships: Annotated[Optional[list[str]], typer.Option("--townships", help="县下辖乡镇 a county's townships, repeatable or comma-separated [必填 required for a county]")] = None,
) -> None:
    from grid_cli.clock import today
    from grid_cli.ledger import Ledger
    from grid_cli.parse import parse_phone

    path, source = ledger_path()
    Ledger.check_new(path)
    if level != "grid":  # a township or county hub (grid_cli.sync)
        codes = [c for item in (grids if level == "township" else townships) or [] for c in item.split(",")]
        return _init_hub(path, level, township=township, county=county, codes=codes, year=year,
                         threshold=threshold, config=config)
    required = {"--grid": grid_code, "--village": village, "--township": township, "--county": county,
                "--monitor": monitor, "--phone": phone}
    if not config:
        required["--threshold"] = threshold
    missing = [option for option, value in required.items() if value in (None, "")]
    if missing and not interactive():  # say everything that is missing at once
        raise UsageError(f"缺少 {'、'.join(missing)}", f"missing {', '.join(missing)}",
                         hint_zh="见 grid init --help", hint_en="see `grid init --help`")
    year, year_config = _year_rules(config, threshold, year)
    meta = {
        "level": "grid",
        "grid_code": need(grid_code, "--grid", tr("网格编码", "Grid code"), place_code),
        "village": need(village, "--village", tr("行政村", "Village")),
        "township": need(township, "--township", tr("乡镇", "Township")),
        "county": need(county, "--county", tr("县", "County")),
        "monitor_name": need(monitor, "--monitor", tr("网格员姓名", "Monitor's name")),
        "monitor_phone": need(phone, "--phone", tr("网格员电话", "Monitor's phone"), parse_phone),
        "year": year or today().year,
    }
    if year_config is None:
        year_config = {"threshold": need(threshold, "--threshold", tr(f"{meta['year']}年监测标准（元/人/年）",
                                         f"{meta['year']} monitoring threshold (yuan/person/year)"), _threshold)}
    ledger = Ledger.create(path, meta)
    with ledger.write() as w:
        w.set_config(meta["year"], year_config)
    make_keys(ledger)
    say("已建立账本：{path}（来自 {source}）", "Ledger created: {path} (from {source})", path=path,
        source=tr("默认位置", "the default location") if source == "default" else source)
    say("网格 {grid} · {village} · {township} · {county}；{year}年监测标准 {t:,} 元/人/年",
        "Grid {grid} · {village} · {township} · {county}; {year} threshold {t:,} yuan/person/year",
        grid=meta["grid_code"], village=meta["village"], township=meta["township"], county=meta["county"],
        year=meta["year"], t=year_config["threshold"])


def _init_hub(path: Path, level: str, *, township: str | None, county: str | None, codes: list[str],
              year: int | None, threshold: str | None, config: Path | None) -> None:
    """`grid init --level township|county`: a hub ledger. A county needs the year's threshold; a township
    may take it later from the county's bundle."""
    from grid_cli.clock import today
    from grid_cli.place import create_hub

    county = need(county, "--county", tr("县", "County"))
    if level == "township":
        township = need(township, "--township", tr("乡镇", "Township"))
    year, year_config = _year_rules(config, threshold, year)
    if year_config is None and level == "county":
        year_config = {"threshold": need(threshold, "--threshold",
                                         tr("监测标准（元/人/年）", "monitoring threshold (yuan/person/year)"), _threshold)}
    ledger = create_hub(path, level, township=township, county=county, codes=codes, year=year or today().year,
                        year_config=year_config)
    what = tr("乡镇", "township") if level == "township" else tr("县", "county")
    say("已建立{what}账本：{path}；下辖：{codes}", "{what} ledger created: {path}; area: {codes}",
        what=what, path=path, codes=", ".join(sorted(set(codes))))
    make_keys(ledger)


def info_command(
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False,
    out: JsonOutOption = None,
) -> None:
    as_json = as_json or out is not None  # --out FILE implies --json
    ledger = open_ledger()
    meta = ledger.all_meta()
    year = meta.get("year")
    counts = ledger.query(
        "SELECT (SELECT count(*) FROM households WHERE status='正常') AS households,"
        " (SELECT count(*) FROM members WHERE status='正常') AS members,"
        " (SELECT count(*) FROM changes) AS changes, (SELECT count(*) FROM visit_drafts) AS visit_drafts")[0]
    info = {
        "ledger": str(ledger.path), "replica_id": meta.get("replica_id"), "level": meta.get("level"),
        "grid": meta.get("grid_code"), "village": meta.get("village"), "township": meta.get("township"),
        "county": meta.get("county"), "year": year, "threshold": ledger.config(year).get("threshold"),
        **counts,
    }
    if as_json:
        print_json(info, out)
        return
    from rich.table import Table

    table = Table(show_header=False, box=None)
    labels = {"ledger": ("账本文件", "ledger file"), "replica_id": ("副本编号", "replica id"), "level": ("层级", "level"),
              "grid": ("网格", "grid"), "village": ("行政村", "village"), "township": ("乡镇", "township"),
              "county": ("县", "county"), "year": ("年度", "year"), "threshold": ("监测标准(元/人/年)", "threshold (yuan)"),
              "households": ("在册户数", "households"), "members": ("在册人数", "members"),
              "changes": ("变更记录", "changes logged"),
              "visit_drafts": ("未完成的走访（草稿）", "unfinished visits (drafts)")}
    shown = {**info, "level": level_name(info["level"])}  # 层级 网格, not "grid"
    for key, (zh, en) in labels.items():
        table.add_row(tr(zh, en), str(shown[key]) if shown[key] is not None else "")
    console.print(table)
