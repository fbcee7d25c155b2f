"""`grid keys init | show`: this ledger's signing and encryption keys (fingerprints only, never the keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import JsonOutOption, level_name, open_ledger, print_json, say, writable_file_or_folder

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
JsonOption = Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")]


def write_public(doc: dict, out: Optional[Path], default: str) -> Path:
    import json

    from grid_cli.exports.files import atomic_write

    target = Path(out) if out else Path(default)
    if target.is_dir():
        target = target / default
    atomic_write(target, lambda tmp: tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"))
    return target


@app.command("init")
def init(as_json: JsonOption = False, out: JsonOutOption = None) -> None:
    """生成密钥 — make keys for a ledger that has none.

    此后只收发加密签名的同步包 from then on it sends and takes only sealed bundles."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.security.keys import create_keys

    ledger = open_ledger()
    keys = create_keys(ledger)
    if as_json:
        print_json({"fingerprint": keys.fingerprint, "file": str(keys.path)}, out)
        return
    say("已生成密钥，指纹 {fp}；私钥文件 {path}（只限本人读取，切勿外传）",
        "Keys made, fingerprint {fp}; private key file {path} (owner-only; never send it anywhere)",
        fp=keys.fingerprint, path=keys.path)


@app.command("show")
def show(
    public: Annotated[Optional[Path], typer.Option("--public", help="也写出公钥文件 also write the public-key file here",
                                              callback=writable_file_or_folder)] = None,
    as_json: JsonOption = False,
    out: JsonOutOption = None,
) -> None:
    """查看密钥指纹 — this ledger's fingerprints, to compare in person."""
    as_json = as_json or out is not None  # --out FILE implies --json
    from grid_cli.security.envelope import box_fingerprint, sign_fingerprint
    from grid_cli.security.keys import load_keys
    from grid_cli.security.trust import public_key_file
    from grid_cli.place import here

    ledger = open_ledger()
    keys = load_keys(ledger)
    me = here(ledger)
    info = {"replica": me.replica, "level": me.level, "code": me.code, "fingerprint": keys.fingerprint,
            "signing": sign_fingerprint(keys.sign_pk), "encryption": box_fingerprint(keys.box_pk), "file": str(keys.path)}
    written = write_public(public_key_file(ledger), public, f"{me.code}-public.json") if public else None
    if as_json:
        print_json({**info, "public_file": str(written) if written else None}, out)
        return
    say("{level} {code}（副本 {r}）", "{level} {code} (replica {r})", level=level_name(me.level), code=me.code, r=me.replica[-8:])
    say("  指纹：{fp}", "  fingerprint: {fp}", fp=keys.fingerprint)
    say("  签名密钥 {s}；加密密钥 {e}", "  signing key {s}; encryption key {e}", s=info["signing"], e=info["encryption"])
    say("  私钥文件：{path}", "  private key file: {path}", path=keys.path)
    if written:
        say("已写出公钥文件：{path}", "Public-key file written: {path}", path=written)
