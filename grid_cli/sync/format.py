"""The bundle file: a zip holding `manifest.json` and `changes.jsonl`.

`changes.jsonl` holds one change per line in canonical JSON (sorted keys, no spaces, UTF-8), exactly as the
`changes` table holds it: {"body": {...}, "entity": ..., "hlc": ..., "id": ..., "origin": ..., "seq": n}.

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
  security             {signature: null, encryption: null}  reserved: Ed25519 signature over the manifest and
                       a sealed box to the recipient come later; a signed bundle adds `manifest.sig`.
Nothing in a bundle is ever opened as SQLite.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grid_cli.errors import Refused

FORMAT = "grid-bundle"
VERSION = 1
MANIFEST = "manifest.json"
PAYLOAD = "changes.jsonl"
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
LEVELS = ("grid", "township", "county")
PARENT_LEVEL = {"grid": "township", "township": "county"}
ENTITIES = {"household": "put", "member": "put", "event": "event", "config": "config"}
HLC_RE = re.compile(r"\d{13}\.\d{5}")


class BundleRefused(Refused):
    """A bundle refused whole; the ledger is unchanged. `reason` is a stable key for --json."""

    reason = "refused"


class BadFormat(BundleRefused):
    reason = "format"


class Damaged(BundleRefused):
    reason = "integrity"


class UnknownOrigin(BundleRefused):
    reason = "unknown-origin"


class OutOfScope(BundleRefused):
    reason = "out-of-scope"


class NotForThisLedger(BundleRefused):
    reason = "recipient"


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def change_line(origin: str, seq: int, hlc: str, entity: str, entity_id: str, body: str) -> str:
    """One canonical payload line from a `changes` row (body is already canonical JSON text)."""
    return (f'{{"body":{body},"entity":{dumps(entity)},"hlc":{dumps(hlc)},"id":{dumps(entity_id)},'
            f'"origin":{dumps(origin)},"seq":{int(seq)}}}\n')


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

    def payload(self):
        """The payload as a binary stream (read it in chunks)."""
        return self.zf.open(PAYLOAD)

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> "Bundle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _bad(zh: str, en: str) -> BadFormat:
    return BadFormat(f"不是有效的同步包：{zh}", f"not a valid sync bundle: {en}",
                     hint_zh="请对方用 grid sync export 重新导出", hint_en="ask the sender to run `grid sync export` again")


def _damaged(zh: str, en: str) -> Damaged:
    return Damaged(f"同步包已损坏或被改动：{zh}", f"the bundle is damaged or altered: {en}",
                   hint_zh="请对方重新发送该文件", hint_en="ask the sender to send the file again")


def open_bundle(path: Path) -> Bundle:
    """Open a bundle and check its envelope and manifest (not yet the payload)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except FileNotFoundError:
        from grid_cli.errors import DataError

        raise DataError(f"找不到同步包：{path}", f"no bundle at {path}") from None
    if magic != b"PK\x03\x04":
        raise _bad("文件不是 zip 格式", "the file is not a zip archive")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise _damaged("文件不完整（可能传输中被截断）", "the file is incomplete (cut short in transfer?)") from None
    try:
        names = set(zf.namelist())
        if MANIFEST not in names or PAYLOAD not in names:
            raise _bad(f"缺少 {MANIFEST} 或 {PAYLOAD}", f"{MANIFEST} or {PAYLOAD} is missing")
        info = zf.getinfo(MANIFEST)
        if info.file_size > MAX_MANIFEST_BYTES:
            raise _bad("清单过大", "the manifest is too large")
        try:
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
        except (zipfile.BadZipFile, EOFError, OSError):
            raise _damaged("清单无法读取", "the manifest cannot be read") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _bad("清单不是 JSON", "the manifest is not JSON") from None
        check_manifest(manifest)
        return Bundle(path, zf, manifest)
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
    try:
        for key in ("sender", "recipient", "origins", "ranges", "counts", "have", "payload", "scope"):
            if not isinstance(m[key], dict):
                raise KeyError(key)
        sender, recipient, payload = m["sender"], m["recipient"], m["payload"]
        assert m["direction"] in ("up", "down")
        assert isinstance(sender["replica"], str) and sender["level"] in LEVELS and isinstance(sender["code"], str)
        assert recipient["level"] in LEVELS and isinstance(recipient["code"], str)
        assert isinstance(payload["sha256"], str) and isinstance(payload["bytes"], int)
        assert isinstance(payload["lines"], int)
        assert isinstance(m["scope"].get("grids", []), list)
        for origin, ranges in m["ranges"].items():
            assert origin in m["origins"] and isinstance(ranges, list)
            for pair in ranges:
                assert isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, int) for x in pair)
                assert 1 <= pair[0] <= pair[1]
        for origin, info in m["origins"].items():
            assert isinstance(info, dict) and info.get("level") in LEVELS and isinstance(info.get("code"), str)
        for origin, n in m["counts"].items():
            assert origin in m["ranges"] and isinstance(n, int) and n >= 0
        assert all(isinstance(v, int) for v in m["have"].values())
    except (KeyError, TypeError, AssertionError, AttributeError):
        raise _bad("清单缺少字段或字段不对", "the manifest is missing fields or has wrong ones") from None
