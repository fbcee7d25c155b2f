"""Test helpers for sealed bundles: open one with the recipient's key, and craft one signed with the sender's
real key (an insider's or a buggy sender's forgery: it passes the envelope, so the checks behind it show)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Callable

from grid_cli.ledger import Ledger
from grid_cli.security.envelope import SEALED, SIGNATURE, OpenReader, SealWriter, security_block
from grid_cli.security.keys import load_keys


def keys_of(ledger_path) -> object:
    ledger = Ledger.open(Path(ledger_path))
    try:
        return load_keys(ledger)
    finally:
        ledger.close()


def unseal(bundle: Path, recipient_ledger) -> tuple[dict, list[str]]:
    """(manifest, payload lines) of a sealed bundle, opened with the recipient's private key."""
    from nacl.public import SealedBox

    keys = keys_of(recipient_ledger)
    with zipfile.ZipFile(bundle) as zf:
        m = json.loads(zf.read("manifest.json"))
        key = SealedBox(keys.box_key).decrypt(base64.b64decode(m["security"]["encryption"]["key"]))
        reader = OpenReader(io.BytesIO(zf.read(SEALED)), key)
        data = b"".join(iter(lambda: reader.read(), b""))
    return m, data.decode("utf-8").splitlines(keepends=True)


def reseal(src: Path, dst: Path, sender_ledger, recipient_ledger, *, lines: Callable | None = None,
           manifest: Callable | None = None, fix_hash: bool = True) -> Path:
    """A crafted bundle: edit the payload lines and/or the manifest, then encrypt and sign it again with the
    sender's real keys (by default with the payload hash fixed up)."""
    m, payload = unseal(src, recipient_ledger)
    if lines:
        payload = lines(payload)
    data = "".join(payload).encode("utf-8")
    if fix_hash:
        m["payload"].update(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), lines=len(payload))
    recipient = keys_of(recipient_ledger)
    sender = keys_of(sender_ledger)
    out = io.BytesIO()
    writer = SealWriter(out, recipient.box_pk)
    writer.write(data)
    writer.close()
    m["security"] = security_block(sender, {"box_pk": recipient.box_pk.hex()}, writer)
    if manifest:
        manifest(m)
    raw = json.dumps(m, ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr(SEALED, out.getvalue())
        zf.writestr("manifest.json", raw)
        zf.writestr(SIGNATURE, sender.sign(raw).hex())
    return dst


def canonical_line(change: dict) -> str:
    return json.dumps(change, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def enrol(parent: Ledger, child: Ledger) -> None:
    """Enrol `child` (a grid or township ledger) with `parent` (its township or county), both ways, through
    the same core calls as `grid trust issue` / `grid enroll` / `grid trust add`. Makes keys if needed."""
    from grid_cli.security.keys import create_keys, has_keys
    from grid_cli.security.trust import enroll, issue_enrolment, trust_add
    from grid_cli.sync.place import here

    for ledger in (parent, child):
        if not has_keys(ledger):
            create_keys(ledger)
    done = enroll(child, issue_enrolment(parent, here(child).code))
    trust_add(parent, done["public"])
