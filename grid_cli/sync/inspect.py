"""What a bundle is, without applying it: its routing manifest (readable without any key), and, given the
recipient's ledger, what merging it would change (a dry run: every check, then rolled back)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grid_cli.errors import BundleRefused
from grid_cli.sync.format import open_bundle


def inspect_bundle(path: Path, ledger=None) -> dict[str, Any]:
    path = Path(path)
    with open_bundle(path) as bundle:
        m = bundle.manifest
        sealed = bundle.sealed
    sec = m.get("security") or {}
    info: dict[str, Any] = {
        "file": str(path), "bytes": path.stat().st_size, "version": m["version"], "sealed": sealed,
        "bundle_id": m.get("bundle_id"), "created": m.get("created"), "direction": m["direction"],
        "sender": m["sender"], "recipient": m["recipient"], "scope": m["scope"].get("grids", []),
        "origins": [{"replica": o, **(m["origins"].get(o) or {}), "ranges": r, "changes": m["counts"].get(o, 0)}
                    for o, r in sorted(m["ranges"].items())],
        "changes": m["payload"]["lines"],
        "signer": (sec.get("signature") or {}).get("signer") if sealed else None,
        "recipient_key": (sec.get("encryption") or {}).get("recipient") if sealed else None,
        "last_own": m.get("last_own"),
        "heads": {o: (info["head"] or [None])[0] for o, info in (m.get("chain") or {}).items()},
    }
    if ledger is not None:
        from grid_cli.sync.merge import merge_bundle

        try:
            result = merge_bundle(ledger, path, dry_run=True)
            info["would"] = {"status": "merge", "applied": result.applied, "skipped": result.skipped,
                             "quarantined": result.quarantined, "conflicts": result.conflicts, "gaps": result.gaps,
                             "by_entity": result.by_entity, "signer_trusted": result.signer}
        except BundleRefused as error:
            info["would"] = {"status": "refused", "reason": error.reason, "zh": error.message("zh"), "en": error.message("en")}
    return info
