"""The bundle file: a zip holding `manifest.json` and the payload.

Version 1 (unsealed, only between ledgers without keys): `manifest.json` + `changes.jsonl` in the clear.
Version 3 (sealed, every ledger with keys): `manifest.json` + `manifest.sig` + `payload.enc`, the same
changes signed by the sender and encrypted to the recipient (grid_cli/security/envelope.py), and every
origin's changes proven against that origin's own signed chain head (`chain`, grid_cli/security/heads.py).
Version 2 (sealed, without per-origin proofs) is refused: the sender must upgrade.

`changes.jsonl` holds one change per line in canonical JSON (sorted keys, no spaces, UTF-8), exactly as the
`changes` table holds it: {"body": {...}, "entity": ..., "hlc": ..., "id": ..., "origin": ..., "prev": h,
"seq": n}; `prev` is the hash-chain link to the origin's previous change (absent on legacy changes).

`manifest.json` (format `grid-bundle`, version 1):
  bundle_id, created (UTC ISO time), created_hlc,
  direction            "up" (to the level above) | "down" (to one grid / township below)
  sender               {replica, level, code, parent}      level: grid | township | county
  recipient            {level, code, replica|null}
  scope                {"grids": [...]} the sender's grids (a township's declared grids) for up bundles,
                       the recipient's grids for down bundles
  origins              {replica: {level, code, parent}} every origin whose changes or ranges it carries
  ranges               {replica: [[lo, hi], ...]} seqs the bundle covers: every change in them that the
                       recipient should hold is in the payload (the rest are not for it)
  counts               {replica: n} changes per origin in the payload
  have                 {replica: n} the sender's contiguous coverage per origin (an acknowledgement)
  payload              {name, sha256, bytes, lines}
  security             v1: {signature: null, encryption: null}; v3: {signature: {alg, signer, file},
                       encryption: {alg, recipient, key, file, compression, bytes, sha256}} (envelope.py)
  chain                v3: {replica: {start, spans: [[first, acc, last, head acc, head signature]],
                       skip: [[seq, hashes]]}} per origin in `ranges` (security/heads.py)
  last_own             the sender's own last change seq (a monitor states it when a laptop is lost)
Nothing in a bundle is ever opened as SQLite.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grid_cli.clock import parse_time
from grid_cli.errors import BadFormat, DataError, damaged, require
from grid_cli.fastjson import document
from grid_cli.place import LEVELS
from grid_cli.security.envelope import SEALED, SIGNATURE, ZIP_ERRORS, OpenReader, check_security
from grid_cli.security.heads import check_chain_block

FORMAT = "grid-bundle"
VERSION = 3          # the newest format this grid reads (and writes when the ledger has keys)
OLDEST_SEALED = 3    # sealed bundles before per-origin proofs (2) are refused
UNSEALED_VERSION = 1
MANIFEST = "manifest.json"
PAYLOAD = "changes.jsonl"
MAX_MANIFEST_BYTES = 32 * 1024 * 1024


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)




def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- reading -----------------------------------------------------------------------------------------
@dataclass
class Bundle:
    path: Path
    zf: zipfile.ZipFile
    manifest: dict
    manifest_bytes: bytes = b""
    content_key: bytes | None = None   # set by security.envelope.authenticate for a sealed bundle

    @property
    def sealed(self) -> bool:
        return self.manifest["version"] >= 2

    def payload(self):
        """The payload's plaintext as a binary stream (read it in chunks)."""
        if not self.sealed:
            return self.zf.open(PAYLOAD)
        if self.content_key is None:
            raise RuntimeError("a sealed bundle must be authenticated before it is read")
        return OpenReader(self.zf.open(SEALED), self.content_key)

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> "Bundle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _bad(zh: str, en: str) -> BadFormat:
    return BadFormat(f"不是有效的同步包：{zh}", f"not a valid sync bundle: {en}",
                     hint_zh="请对方用 grid sync export 重新导出", hint_en="ask the sender to run `grid sync export` again")


def open_bundle(path: Path) -> Bundle:
    """Open a bundle and check its envelope and manifest (not yet the payload)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except FileNotFoundError:
        raise DataError(f"找不到同步包：{path}", f"no bundle at {path}") from None
    if magic != b"PK\x03\x04":
        raise _bad("文件不是 zip 格式", "the file is not a zip archive")
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_ERRORS:
        raise damaged("文件不完整（可能传输中被截断）", "the file is incomplete (cut short in transfer?)") from None
    try:
        names = set(zf.namelist())
        if MANIFEST not in names or (PAYLOAD not in names and SEALED not in names):
            raise _bad(f"缺少 {MANIFEST} 或内容", f"{MANIFEST} or the payload is missing")
        info = zf.getinfo(MANIFEST)
        if info.file_size > MAX_MANIFEST_BYTES:
            raise _bad("清单过大", "the manifest is too large")
        try:
            raw = zf.read(MANIFEST)
            manifest = document(raw.decode("utf-8"))
        except ZIP_ERRORS:
            raise damaged("清单无法读取", "the manifest cannot be read") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _bad("清单不是 JSON", "the manifest is not JSON") from None
        check_manifest(manifest)
        if manifest["version"] >= 2:
            if SEALED not in names or SIGNATURE not in names:
                raise _bad("加密同步包缺少 payload.enc 或 manifest.sig", "a sealed bundle lacks payload.enc or manifest.sig")
        elif PAYLOAD not in names:
            raise _bad(f"缺少 {PAYLOAD}", f"{PAYLOAD} is missing")
        return Bundle(path, zf, manifest, raw)
    except BaseException:
        zf.close()
        raise


def check_manifest(m: Any) -> None:
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise _bad("格式名称不对", f"format is not {FORMAT!r}")
    version = m.get("version")
    if not isinstance(version, int):
        raise _bad("缺少格式版本", "no format version")
    if version > VERSION:
        raise BadFormat(f"同步包由更新版本的 grid 生成（格式版本 {version}）",
                        f"the bundle was made by a newer grid (format version {version})",
                        hint_zh="请升级 grid", hint_en="upgrade grid")
    if version < 1:
        raise _bad("格式版本不对", "wrong format version")
    if 1 < version < OLDEST_SEALED:
        raise BadFormat(f"同步包由旧版 grid 生成（格式版本 {version}，没有各来源的链头签名）",
                        f"the bundle was made by an older grid (format version {version}, without signed chain heads)",
                        hint_zh="请对方升级 grid 后重新导出", hint_en="ask the sender to upgrade grid and export again")
    try:
        for key in ("sender", "recipient", "origins", "ranges", "counts", "have", "payload", "scope"):
            if not isinstance(m[key], dict):
                raise KeyError(key)
        sender, recipient, payload = m["sender"], m["recipient"], m["payload"]
        require(m["direction"] in ("up", "down"))
        require(isinstance(sender["replica"], str) and sender["level"] in LEVELS and isinstance(sender["code"], str))
        require(recipient["level"] in LEVELS and isinstance(recipient["code"], str))
        require(isinstance(payload["sha256"], str) and isinstance(payload["bytes"], int))
        require(isinstance(payload["lines"], int))
        require(isinstance(m["scope"].get("grids", []), list))
        for origin, ranges in m["ranges"].items():
            require(origin in m["origins"] and isinstance(ranges, list))
            for pair in ranges:
                require(isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, int) for x in pair))
                require(1 <= pair[0] <= pair[1])
        for origin, info in m["origins"].items():
            require(isinstance(info, dict) and info.get("level") in LEVELS and isinstance(info.get("code"), str))
        for origin, n in m["counts"].items():
            require(origin in m["ranges"] and isinstance(n, int) and n >= 0)
        require(all(isinstance(v, int) for v in m["have"].values()))
        parse_time(m["created"])  # shown to people; decides nothing
        if version >= 2:
            check_security(m)
            check_chain_block(m)
    except (KeyError, TypeError, ValueError, AssertionError, AttributeError):
        raise _bad("清单缺少字段或字段不对", "the manifest is missing fields or has wrong ones") from None
