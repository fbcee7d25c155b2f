"""The demo: a fresh ledger built from samples/, the way a monitor would start."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from grid_cli.importer.households import Report, import_households
from grid_cli.ledger import Ledger
from grid_cli.resources import samples_dir


@dataclass
class DemoResult:
    ledger: Ledger
    source: Path
    report: Report


def build_demo(folder: Path) -> DemoResult:
    """(Re)create `folder/demo.db` from the sample grid. Only the demo's own files are replaced."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo.db"
    for old in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        old.unlink(missing_ok=True)
    grid = json.loads((samples_dir() / "grid.json").read_text(encoding="utf-8"))
    ledger = Ledger.create(path, {"level": "grid", **grid["meta"]})
    with ledger.write() as w:
        w.set_config(grid["meta"]["year"], grid["config"])
    source = samples_dir() / "households.xlsx"
    report = import_households(ledger, source)
    return DemoResult(ledger, source, report)
