"""Which ledger file a command uses: --ledger, else GRID_LEDGER, else the per-user data directory."""

from __future__ import annotations

import os
from pathlib import Path


def default_ledger() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("grid", appauthor=False)) / "ledger.db"


def resolve(explicit: Path | None) -> tuple[Path, str]:
    """The path and where it came from ('--ledger', 'GRID_LEDGER' or 'default')."""
    if explicit:
        return Path(explicit), "--ledger"
    env = os.environ.get("GRID_LEDGER")
    if env:
        return Path(env), "GRID_LEDGER"
    return default_ledger(), "default"
