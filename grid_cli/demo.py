"""The demo: a fresh ledger built from samples/, the way a monitor would start."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import datetime as dt

from grid_cli import lifecycle, visits
from grid_cli.clock import today
from grid_cli.importer.households import Report, import_households
from grid_cli.ledger import Ledger
from grid_cli.resources import samples_dir


@dataclass
class DemoResult:
    ledger: Ledger
    source: Path
    report: Report
    visits: int = 0
    steps: int = 0


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
    result = DemoResult(ledger, source, report)
    _play(ledger, json.loads((samples_dir() / "visits.json").read_text(encoding="utf-8")), result)
    return result


def _play(ledger: Ledger, script: dict, result: DemoResult) -> None:
    """The sample's lifecycle steps and visits, dated relative to today so the demo is always current.
    Visits go through the same path as `grid visit --from-file`."""
    on = today()

    def ago(days: int) -> str:
        return (on - dt.timedelta(days=days)).isoformat()

    for step in script["lifecycle"]:
        hh, kind = step["hh_no"], step["step"]
        if kind == "include":
            lifecycle.include(ledger, hh, category=step["category"], risks=step["risks"], identified=ago(step["days_ago"]))
        elif kind == "helper":
            lifecycle.assign_helper(ledger, hh, name=step["name"], unit=step["unit"], start=ago(step["days_ago"]))
        elif kind == "measure":
            due = (on + dt.timedelta(days=step["due_in_days"])).isoformat() if "due_in_days" in step else None
            lifecycle.add_measure(ledger, hh, kind=step["kind"], detail=step["detail"], start=ago(step["days_ago"]),
                                  amount=step.get("amount"), due=due)
        elif kind == "eliminate":
            when = on - dt.timedelta(days=step["days_ago"])
            lifecycle.eliminate(ledger, hh, method=step["method"], month=f"{when.year:04d}-{when.month:02d}")
        result.steps += 1
    for visit in script["visits"]:
        raw = {k: v for k, v in visit.items() if k not in ("hh_no", "days_ago")}
        visits.record(ledger, visit["hh_no"], {**raw, "date": ago(visit["days_ago"])})
        result.visits += 1
