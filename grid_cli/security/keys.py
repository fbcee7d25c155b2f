"""A ledger's keys: Ed25519 (signs the bundles it sends), X25519 (opens the bundles sent to it) and a
secret for stable pseudonyms (`grid export --redact`).

They live in `<ledger file>.key` (JSON, owner-only on POSIX) beside the ledger, never inside it: a copy of
the ledger given to someone (or a bundle) never carries them. The ledger's `meta.keys` records the public
fingerprint, so a ledger that has keys knows it, and refuses to run unsealed if the key file goes missing.
Private keys are never printed or logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grid_cli.errors import DataError, UsageError, require
from grid_cli.fastjson import document

KEY_FORMAT = "grid-keys"
SIGN_DOMAIN = b"grid-bundle-v2\n"   # every signature is over a domain tag + the signed bytes
FILE_DOMAIN = b"grid-key-file-v1\n"


def fingerprint(*public: bytes) -> str:
    """Short and human-comparable: the first 16 hex digits of sha256, in groups of four."""
    text = hashlib.sha256(b"".join(public)).hexdigest()[:16]
    return " ".join(text[i:i + 4] for i in range(0, 16, 4))


def key_path(ledger_path: Path) -> Path:
    ledger_path = Path(ledger_path)
    return ledger_path.with_name(ledger_path.name + ".key")


@dataclass
class Keys:
    replica: str
    sign_seed: bytes
    box_secret: bytes
    pseudonym_secret: bytes
    path: Path | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def signing_key(self):
        if "sk" not in self._cache:
            from nacl.signing import SigningKey

            self._cache["sk"] = SigningKey(self.sign_seed)
        return self._cache["sk"]

    @property
    def box_key(self):
        if "bk" not in self._cache:
            from nacl.public import PrivateKey

            self._cache["bk"] = PrivateKey(self.box_secret)
        return self._cache["bk"]

    @property
    def sign_pk(self) -> bytes:
        return bytes(self.signing_key.verify_key)

    @property
    def box_pk(self) -> bytes:
        return bytes(self.box_key.public_key)

    @property
    def fingerprint(self) -> str:
        """The identity: both public keys."""
        return fingerprint(self.sign_pk, self.box_pk)

    def sign(self, data: bytes, domain: bytes = SIGN_DOMAIN) -> bytes:
        return self.signing_key.sign(domain + data).signature

    def public(self, place: dict[str, Any]) -> dict[str, Any]:
        return {"replica": self.replica, "level": place["level"], "code": place["code"], "parent": place.get("parent"),
                "sign_pk": self.sign_pk.hex(), "box_pk": self.box_pk.hex(), "fingerprint": self.fingerprint}


def verify(sign_pk_hex: str, data: bytes, signature: bytes, domain: bytes = SIGN_DOMAIN) -> bool:
    from nacl.exceptions import BadSignatureError
    from nacl.signing import VerifyKey

    try:
        VerifyKey(bytes.fromhex(sign_pk_hex)).verify(domain + data, signature)
        return True
    except (BadSignatureError, ValueError, TypeError):
        return False


def has_keys(ledger) -> bool:
    """Whether this ledger has keys (and so sends and takes only sealed bundles)."""
    return ledger.meta("keys") is not None


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, atomically (a temporary file renamed over it)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if os.name != "nt":
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def create_keys(ledger) -> Keys:
    """Make this ledger's keys (once). Refuses if it already has some: a new key means re-enrolment."""
    path = key_path(ledger.path)
    if has_keys(ledger) or path.exists():
        raise UsageError(f"账本已有密钥：{path}", f"the ledger already has keys: {path}",
                         hint_zh="用 grid keys show 查看", hint_en="see them with `grid keys show`")
    keys = Keys(ledger.replica_id, secrets.token_bytes(32), secrets.token_bytes(32), secrets.token_bytes(32), path)
    doc = {"format": KEY_FORMAT, "version": 1, "replica": keys.replica,
           "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "note": "PRIVATE: never copy or send this file",
           "sign_seed": keys.sign_seed.hex(), "box_secret": keys.box_secret.hex(),
           "pseudonym_secret": keys.pseudonym_secret.hex()}
    _write_private(path, json.dumps(doc, indent=1) + "\n")
    try:
        with ledger.write() as w:
            w.set_meta("keys", {"fingerprint": keys.fingerprint, "sign_pk": keys.sign_pk.hex(),
                                "box_pk": keys.box_pk.hex()})
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return keys


def load_keys(ledger) -> Keys:
    """This ledger's keys; a DataError if it has none or the file is missing, altered or open to others.
    Read and checked once per open ledger (kept on the Ledger object, never written anywhere)."""
    cached = getattr(ledger, "_grid_keys", None)
    if cached is not None:
        return cached
    keys = _read_keys(ledger)
    ledger._grid_keys = keys
    return keys


def _read_keys(ledger) -> Keys:
    path = key_path(ledger.path)
    recorded = ledger.meta("keys")
    if recorded is None:
        raise DataError("本账本还没有密钥", "this ledger has no keys yet",
                        hint_zh="运行 grid keys init 生成密钥", hint_en="run `grid keys init`")
    if not path.is_file():
        raise DataError(f"找不到账本的密钥文件：{path}", f"the ledger's key file is missing: {path}",
                        hint_zh="从备份放回该文件；丢失则按“密钥丢失”流程由乡镇重新登记",
                        hint_en="put it back from a backup; if it is lost, re-enrol with the township (key loss)")
    if os.name != "nt" and path.stat().st_mode & 0o077:
        raise DataError(f"密钥文件 {path} 可被他人读取", f"the key file {path} is readable by others",
                        hint_zh=f"运行 chmod 600 {path}", hint_en=f"run `chmod 600 {path}`")
    try:
        doc = document(path.read_text(encoding="utf-8"))
        keys = Keys(doc["replica"], bytes.fromhex(doc["sign_seed"]), bytes.fromhex(doc["box_secret"]),
                    bytes.fromhex(doc["pseudonym_secret"]), path)
        require(doc.get("format") == KEY_FORMAT and len(keys.sign_seed) == 32 and len(keys.box_secret) == 32)
    except (ValueError, KeyError, TypeError, AssertionError, UnicodeDecodeError):
        raise DataError(f"密钥文件已损坏：{path}", f"the key file is damaged: {path}",
                        hint_zh="从备份放回该文件", hint_en="restore it from a backup") from None
    if keys.replica != ledger.replica_id or keys.fingerprint != recorded.get("fingerprint"):
        raise DataError(f"密钥文件 {path} 不属于这个账本", f"the key file {path} does not belong to this ledger",
                        hint_zh="放回本账本自己的密钥文件", hint_en="put back this ledger's own key file")
    return keys
