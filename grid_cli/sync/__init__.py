"""Sync bundles between grid, township and county ledgers (DESIGN.md, "Sync bundles").

Core only: no typer, no rich. `export_bundle` writes a bundle for the next level up (or down with
`for_code`), sealed (signed and encrypted) when the ledger has keys; `merge_bundle` verifies (signature,
trust, every origin's signed head, revocation cut-offs, replay, hash chains, scope) and applies bundles in
any order; `inspect_bundle` says what a bundle is and would do; `sync_status` reports per origin what was
received and the gaps; `list_conflicts` / `pick` let staff review values that lost; quarantine.py lists and
releases changes held back for their clock.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Each name is loaded from its home when first asked for, so `from grid_cli.sync import sync_status` does
# not pull in the whole merge and export machinery.
_HOME = {
    "ExportResult": "export", "export_bundle": "export", "inspect_bundle": "inspect",
    "MergeResult": "merge", "merge_bundle": "merge",
    "add_scope": "grid_cli.place", "create_hub": "grid_cli.place", "here": "grid_cli.place",
    "list_conflicts": "status", "pick": "status", "sync_status": "status",
    **dict.fromkeys(["BadFormat", "BadSignature", "BundleRefused", "Damaged", "NotForThisLedger", "OutOfScope",
                     "Replayed", "Revoked", "Rewritten", "UnknownOrigin", "Unsigned", "Untrusted"], "grid_cli.errors"),
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    home = _HOME[name]
    value = getattr(import_module(home if home.startswith("grid_cli.") else f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
