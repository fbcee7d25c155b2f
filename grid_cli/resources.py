"""Where the shipped files are: `data/` and `samples/` at the repository top in a checkout, or inside
the package (`_data`, `_samples`) once installed from a wheel."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(installed: str, checkout: str) -> Path:
    inside = _PACKAGE / installed
    return inside if inside.is_dir() else _PACKAGE.parent / checkout


def data_dir() -> Path:
    return _find("_data", "data")


def samples_dir() -> Path:
    return _find("_samples", "samples")


@lru_cache(maxsize=None)
def load_json(name: str):
    return json.loads((data_dir() / name).read_text(encoding="utf-8"))
