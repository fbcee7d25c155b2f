"""Sync bundles between grid, township and county ledgers (DESIGN.md, "Sync bundles").

Core only: no typer, no rich. `export_bundle` writes a bundle for the next level up (or down with
`for_code`), sealed (signed and encrypted) when the ledger has keys; `merge_bundle(s)` verifies (signature,
trust, revocation, replay, hash chains, scope) and applies bundles in any order; `inspect_bundle` says what a
bundle is and would do; `sync_status` reports per origin
what was received and the gaps; `list_conflicts` / `pick` let staff review values that lost.
"""

from grid_cli.sync.export import ExportResult, export_bundle
from grid_cli.sync.format import (BadFormat, BadSignature, BundleRefused, Damaged, NotForThisLedger, OutOfScope, Replayed,
                                  Revoked, Rewritten, UnknownOrigin, Unsigned, Untrusted)
from grid_cli.sync.inspect import inspect_bundle
from grid_cli.sync.merge import MergeResult, merge_bundle, merge_bundles
from grid_cli.sync.place import add_scope, create_hub, here
from grid_cli.sync.status import list_conflicts, pick, sync_status

__all__ = [
    "BadFormat", "BadSignature", "BundleRefused", "Damaged", "ExportResult", "MergeResult", "NotForThisLedger",
    "OutOfScope", "Replayed", "Revoked", "Rewritten", "UnknownOrigin", "Unsigned", "Untrusted", "add_scope",
    "inspect_bundle", "create_hub", "export_bundle", "here", "list_conflicts", "merge_bundle",
    "merge_bundles", "pick", "sync_status",
]
