"""The sealed bundle (format version 3): signed by the sender, encrypted to the recipient.

A sealed bundle is a zip of three entries:
  manifest.json   the routing manifest, readable without any key: format, version, bundle id, created
                  time, direction, sender and recipient (replica ids and place codes), the scope's grid
                  codes, per-origin seq ranges and counts, acknowledgements, the payload's sizes and
                  hashes, and `security` (below). It never holds a name, an ID number, a phone or an income.
  manifest.sig    hex Ed25519 signature, by the sender, over b"grid-bundle-v2\\n" + the exact bytes of
                  manifest.json. The manifest binds everything else: the sealed key and the sha256 of
                  payload.enc, so no byte of the file can change without breaking the signature.
  payload.enc     changes.jsonl, zlib-compressed, then encrypted in frames of up to 1 MiB with
                  XSalsa20-Poly1305 (nacl SecretBox) under a fresh random key per bundle. Frame i is
                  [4-byte length][1-byte final flag][ciphertext], nonce = i (23 bytes, big-endian) + flag,
                  so frames cannot be reordered, dropped or cut short unnoticed.
`security.encryption.key` is that content key sealed (nacl SealedBox, X25519) to the recipient's public
key; `security.encryption.recipient` is the fingerprint of that key and `security.signature.signer` the
fingerprint of the signing key, so a receiver can tell "not for me" and "unknown signer" before it tries
to decrypt anything. Streaming both ways keeps memory flat for county-sized bundles.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zipfile
import zlib
from typing import Any, BinaryIO

from grid_cli.errors import BadSignature, NotForThisLedger, Unsigned, Untrusted, damaged, require
from grid_cli.place import check_recipient, here, label
from grid_cli.security.keys import fingerprint, has_keys, load_keys, verify
from grid_cli.security.trust import trusted

SEALED, SIGNATURE = "payload.enc", "manifest.sig"  # the parts of a sealed bundle besides manifest.json
# What reading a damaged zip can raise: a flipped bit in a header can even name a compression method
# that does not exist (NotImplementedError) or claim a password (RuntimeError). All mean "damaged", never a crash.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, KeyError, RuntimeError, ValueError)
FRAME = 1 << 20
HEADER = struct.Struct(">IB")
ENCRYPTION = "x25519-sealedbox+xsalsa20poly1305"


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(23, "big") + (b"\x01" if final else b"\x00")


class SealWriter:
    """A file-like sink: write plaintext, `close()` finishes the frames. `sealed_key` is the content key
    sealed to the recipient; `sha256` / `bytes` describe the encrypted entry."""

    def __init__(self, out: BinaryIO, recipient_box_pk: bytes):
        from nacl.public import PublicKey, SealedBox
        from nacl.secret import SecretBox
        from nacl.utils import random

        key = random(SecretBox.KEY_SIZE)
        self.box = SecretBox(key)
        self.sealed_key = SealedBox(PublicKey(recipient_box_pk)).encrypt(key)
        self.out, self.z = out, zlib.compressobj(6)
        self.buf = bytearray()
        self.index, self.bytes, self.digest = 0, 0, hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.buf += self.z.compress(data)
        while len(self.buf) > FRAME:
            self._frame(bytes(self.buf[:FRAME]), False)
            del self.buf[:FRAME]

    def close(self) -> None:
        self.buf += self.z.flush()
        while len(self.buf) > FRAME:
            self._frame(bytes(self.buf[:FRAME]), False)
            del self.buf[:FRAME]
        self._frame(bytes(self.buf), True)
        self.buf.clear()

    def _frame(self, plain: bytes, final: bool) -> None:
        ct = self.box.encrypt(plain, _nonce(self.index, final)).ciphertext
        frame = HEADER.pack(len(ct), 1 if final else 0) + ct
        self.out.write(frame)
        self.digest.update(frame)
        self.bytes += len(frame)
        self.index += 1

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


class OpenReader:
    """Reads the plaintext of payload.enc (`read(n)` returns the next piece; b"" at the end)."""

    def __init__(self, raw: BinaryIO, key: bytes):
        from nacl.secret import SecretBox

        self.raw, self.box, self.z = raw, SecretBox(key), zlib.decompressobj()
        self.index, self.done = 0, False

    def read(self, _n: int = -1) -> bytes:
        from nacl.exceptions import CryptoError

        while not self.done:
            head = self.raw.read(HEADER.size)
            if len(head) < HEADER.size:
                raise damaged("加密内容不完整（被截断）", "the encrypted content is cut short")
            size, final = HEADER.unpack(head)
            if final not in (0, 1) or size > FRAME + 64:
                raise damaged("加密内容的分段不对", "a frame of the encrypted content is malformed")
            ct = self.raw.read(size)
            try:
                plain = self.box.decrypt(ct, _nonce(self.index, bool(final)))
            except CryptoError:
                raise damaged("加密内容无法解开（被改动或顺序不对）", "the encrypted content does not authenticate") from None
            self.index += 1
            try:
                out = self.z.decompress(plain)
                if final:
                    self.done = True
                    out += self.z.flush()
                    if self.raw.read(1) or not self.z.eof:
                        raise damaged("加密内容末尾多出数据", "data after the end of the encrypted content")
            except zlib.error:
                raise damaged("内容解压失败", "the content cannot be decompressed") from None
            if out:
                return out
        return b""

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> "OpenReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def security_block(keys, recipient_key: dict[str, Any], writer: SealWriter) -> dict[str, Any]:
    return {
        "signature": {"alg": "ed25519", "signer": sign_fingerprint(keys.sign_pk), "file": SIGNATURE},
        "encryption": {"alg": ENCRYPTION, "recipient": box_fingerprint(bytes.fromhex(recipient_key["box_pk"])),
                       "key": base64.b64encode(writer.sealed_key).decode("ascii"), "file": SEALED,
                       "compression": "zlib", "bytes": writer.bytes, "sha256": writer.sha256},
    }


def sign_fingerprint(pk: bytes) -> str:
    return fingerprint(b"sign:", pk)


def box_fingerprint(pk: bytes) -> str:
    return fingerprint(b"box:", pk)


def check_security(m: dict[str, Any]) -> None:
    """The shape of a sealed manifest's `security` block (raises KeyError/AssertionError/TypeError)."""
    sec = m["security"]
    sig, enc = sec["signature"], sec["encryption"]
    require(sig["alg"] == "ed25519" and isinstance(sig["signer"], str))
    require(enc["alg"] == ENCRYPTION and isinstance(enc["recipient"], str) and isinstance(enc["key"], str))
    require(isinstance(enc["bytes"], int) and isinstance(enc["sha256"], str))


def authenticate(ledger, bundle) -> dict[str, Any] | None:
    """Everything about a bundle that can be checked before its content is read: sealed or not, for this
    ledger and its key, signed by the key enrolled here for the sender's place, not altered (a revoked key's
    bundle is judged by its changes against the cut-off, once they are read). On success
    the bundle can be read (`bundle.payload()`); returns the signer's trust row (None for an unsealed
    bundle taken by a ledger without keys). Raises a BundleRefused otherwise."""
    m = bundle.manifest
    if not bundle.sealed:
        if has_keys(ledger):
            raise Unsigned("同步包没有签名和加密，本账本只接收已登记对方签发的加密同步包",
                           "the bundle is not signed and encrypted; this ledger takes only sealed bundles from enrolled peers",
                           hint_zh="请对方登记后重新导出", hint_en="ask the sender to enrol and export again")
        return None
    if not has_keys(ledger):
        raise NotForThisLedger("同步包已加密，但本账本没有密钥", "the bundle is encrypted but this ledger has no keys",
                               hint_zh="用 grid enroll 登记本账本", hint_en="enrol this ledger with `grid enroll`")
    keys = load_keys(ledger)
    me = here(ledger)
    r, s = m["recipient"], m["sender"]
    check_recipient(me, r)
    enc = m["security"]["encryption"]
    mine = box_fingerprint(keys.box_pk)
    if enc["recipient"] != mine:
        raise NotForThisLedger(f"这个同步包加密给了另一把密钥（{enc['recipient']}），本账本的是 {mine}",
                               f"this bundle is encrypted to another key ({enc['recipient']}); this ledger's is {mine}",
                               hint_zh="对方登记的可能是旧密钥：请重新登记", hint_en="the sender may hold an old key of this ledger: re-enrol")
    szh, sen = label(s["level"], s["code"])
    rows = [r for r in trusted(ledger, replica=s["replica"]) if r["via"] is None]  # a sender is enrolled here
    if not rows:
        others = [r for r in trusted(ledger, level=s["level"], code=s["code"]) if r["via"] is None]
        if others:
            raise Untrusted(f"同步包由未知密钥签发：{szh}登记的是另一个副本（{others[-1]['replica'][-8:]}）",
                            f"the bundle is signed by an unknown key: {sen} is enrolled as another replica "
                            f"({others[-1]['replica'][-8:]})",
                            hint_zh="若该处换了电脑，请按密钥丢失流程重新登记", hint_en="if it changed laptops, re-enrol it (key loss)")
        raise Untrusted(f"同步包由未登记的密钥签发（{szh}，副本 {s['replica'][-8:]}）",
                        f"the bundle is signed by a key that is not enrolled here ({sen}, replica {s['replica'][-8:]})",
                        hint_zh="先用 grid trust add 或 grid enroll 登记对方", hint_en="enrol the sender first (`grid trust add` / `grid enroll`)")
    row = rows[0]
    if (row["level"], row["code"]) != (s["level"], s["code"]):
        kzh, ken = label(row["level"], row["code"])
        raise Untrusted(f"签名密钥登记为{kzh}，同步包却自称来自{szh}", f"the signing key is enrolled for {ken}, but the bundle claims to come from {sen}")
    if m["security"]["signature"]["signer"] != sign_fingerprint(bytes.fromhex(row["sign_pk"])):
        raise BadSignature(f"同步包声称的签名密钥与{szh}登记的密钥不符", f"the bundle names a signing key other than the one enrolled for {sen}")
    try:
        signature = bytes.fromhex(bundle.zf.read(SIGNATURE).decode("ascii").strip())
    except (ValueError, UnicodeDecodeError, *ZIP_ERRORS):
        signature = b""
    if not verify(row["sign_pk"], bundle.manifest_bytes, signature):
        raise BadSignature("签名不符：同步包被改动或伪造", "the signature does not match: the bundle was altered or forged",
                           hint_zh="不要合并；请对方重新发送", hint_en="do not merge it; ask the sender to send it again")
    # a revoked key still vouches for its changes up to the cut-off: that is checked per origin (merge)
    # the signed manifest now vouches for the rest: the encrypted entry must be exactly what it names
    info = bundle.zf.getinfo(SEALED) if SEALED in bundle.zf.namelist() else None
    if info is None or info.file_size != enc["bytes"]:
        raise damaged("加密内容的大小与清单不符", "the encrypted content's size does not match the manifest")
    digest = hashlib.sha256()
    try:
        with bundle.zf.open(SEALED) as raw:
            for chunk in iter(lambda: raw.read(FRAME), b""):
                digest.update(chunk)
    except ZIP_ERRORS:
        raise damaged("加密内容读取失败", "the encrypted content cannot be read") from None
    if digest.hexdigest() != enc["sha256"]:
        raise damaged("加密内容的 sha256 与清单不符", "the encrypted content's sha256 does not match the manifest")
    from nacl.exceptions import CryptoError
    from nacl.public import SealedBox

    try:
        bundle.content_key = SealedBox(keys.box_key).decrypt(base64.b64decode(enc["key"]))
    except (CryptoError, ValueError):
        raise NotForThisLedger("本账本的密钥解不开这个同步包", "this ledger's key cannot open the bundle",
                               hint_zh="对方登记的可能是旧密钥：请重新登记", hint_en="the sender may hold an old key: re-enrol") from None
    return row
