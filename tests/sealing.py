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
           manifest: Callable | None = None, fix_hash: bool = True, reprove: bool = True) -> Path:
    """A crafted bundle: edit the payload lines and/or the manifest, then encrypt and sign it again with the
    sender's real keys (by default with the payload hash fixed up, and the sender's own changes proven anew
    against a head signed with its real key: the forgery of an insider who holds that key)."""
    m, original = unseal(src, recipient_ledger)
    payload = lines(list(original)) if lines else original
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
    if reprove and sender.replica in m.get("chain", {}):
        prove_again(m, original, payload, sender)
    raw = json.dumps(m, ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr(SEALED, out.getvalue())
        zf.writestr("manifest.json", raw)
        zf.writestr(SIGNATURE, sender.sign(raw).hex())
    return dst


def prove_again(m: dict, original: list[str], payload: list[str], keys) -> None:
    """Re-prove the signer's own origin over the edited lines, up to its highest declared change: every
    position is a line of the edited payload, else of the original (as a one-change block), else a block of
    the original proof (where no edited line falls inside it); the head is signed with its real key."""
    from grid_cli.ledger.changes import Mountains
    from grid_cli.security.heads import HEAD_DOMAIN, head_message

    origin = keys.replica
    info = m["chain"][origin]
    start = info["start"]
    top = max([hi for _lo, hi in m["ranges"].get(origin, [])] + [start])
    if top <= start:
        info.update(head=None, blocks=[])
        return
    new, old = _digests(payload, origin), _digests(original, origin)
    old_blocks = {first: (level, digest) for first, level, digest in info["blocks"]}
    mountains, blocks, seq = Mountains(), [], start + 1
    while seq <= top:
        if seq in new:
            mountains.push(0, seq - start - 1, new[seq])
            seq += 1
            continue
        level, digest = old_blocks.get(seq, (0, None))
        if digest is not None and seq + (1 << level) - 1 <= top and not any(seq <= n < seq + (1 << level) for n in new):
            digest = bytes.fromhex(digest)
        else:
            level, digest = 0, old.get(seq) or hashlib.sha256(f"nothing at {seq}".encode()).digest()
        mountains.push(level, seq - start - 1, digest)
        blocks.append([seq, level, digest.hex()])
        seq += 1 << level
    acc = mountains.acc().hex()
    info.update(head=[top, acc, keys.sign(head_message(origin, top, start, acc), HEAD_DOMAIN).hex()], blocks=blocks)


def _digests(lines: list[str], origin: str) -> dict[int, bytes]:
    """Line hashes by seq of one origin's lines, found by their frame's tail as the intake finds them (the
    body may be anything a test crafted)."""
    from grid_cli.sync.intake import TAIL

    out = {}
    for line in lines:
        data = line.rstrip("\n").encode("utf-8")
        cut = data.rfind(b',"origin":"')
        tail = TAIL.fullmatch(data, cut) if cut > 0 else None
        if tail is not None and tail.group(1).decode() == origin:
            out[int(tail.group(3))] = hashlib.sha256(data).digest()
    return out


def canonical_line(change: dict) -> str:
    return json.dumps(change, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def enrol(parent: Ledger, child: Ledger) -> None:
    """Enrol `child` (a grid or township ledger) with `parent` (its township or county), both ways, through
    the same core calls as `grid trust issue` / `grid enroll` / `grid trust add`. Makes keys if needed."""
    from grid_cli.security.keys import create_keys, has_keys
    from grid_cli.security.trust import enroll, issue_enrolment, trust_add
    from grid_cli.place import here

    for ledger in (parent, child):
        if not has_keys(ledger):
            create_keys(ledger)
    done = enroll(child, issue_enrolment(parent, here(child).code))
    trust_add(parent, done["public"])
