"""A township ledger with enrolled grid ledgers (sealed bundles both ways), for tests of what hubs see."""

from __future__ import annotations

from pathlib import Path

from conftest import Run


def township(tmp_path: Path, grids: tuple[str, ...] = ("G1", "G2")) -> dict[str, Run]:
    """T1 over `grids`, each grid initialised (2026 threshold 7600) and enrolled; returns the CLI per ledger."""
    cli = {name: Run(tmp_path / f"{name}.db") for name in ("T1", *grids)}
    assert cli["T1"]("init", "--level", "township", "--township", "T1", "--county", "C", "--grids", ",".join(grids),
                     "--year", "2026").exit_code == 0
    for g in grids:
        assert cli[g]("init", "--grid", g, "--village", "V", "--township", "T1", "--county", "C", "--monitor", "王",
                      "--phone", "13800138000", "--threshold", "7600", "--year", "2026").exit_code == 0
        assert cli["T1"]("trust", "issue", g, "--out", tmp_path / f"{g}-enrol.json").exit_code == 0
        assert cli[g]("enroll", tmp_path / f"{g}-enrol.json", "--out", tmp_path / f"{g}-public.json").exit_code == 0
        assert cli["T1"]("trust", "add", tmp_path / f"{g}-public.json").exit_code == 0
    return cli


def send_up(tmp_path: Path, cli: dict[str, Run], *grids: str) -> None:
    for g in grids:
        assert cli[g]("sync", "export", "--out", tmp_path / f"{g}-up.zip").exit_code == 0
        assert cli["T1"]("sync", "merge", tmp_path / f"{g}-up.zip").exit_code == 0


def send_down(tmp_path: Path, cli: dict[str, Run], *grids: str) -> None:
    for g in grids:
        assert cli["T1"]("sync", "export", "--for", g, "--out", tmp_path / f"{g}-down.zip").exit_code == 0
        assert cli[g]("sync", "merge", tmp_path / f"{g}-down.zip").exit_code == 0
