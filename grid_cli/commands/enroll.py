"""`grid enroll FILE`: adopt the enrolment file from the level above; write this ledger's public-key file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grid_cli.commands.common import level_name, open_ledger, print_json, say
from grid_cli.commands.keys import write_public


def enroll_command(
    file: Annotated[Path, typer.Argument(help="乡镇（或县）发放的登记文件 the enrolment file from the township (or county)")],
    out: Annotated[Optional[Path], typer.Option("--out", help="本账本公钥文件 where to write this ledger's public-key file (default: CODE-public.json)")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="上级换了密钥 the level above has new keys")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 machine-readable output")] = False,
) -> None:
    from grid_cli.security.trust import ENROL_FORMAT, enroll, read_json

    ledger = open_ledger()
    done = enroll(ledger, read_json(file, ENROL_FORMAT, ("登记文件", "enrolment file")), replace=replace)
    public = done["public"]
    path = write_public(public, out, f"{public['code']}-public.json")
    issuer = done["trusted"]["key"]
    if as_json:
        print_json({"trusted": issuer, "public_file": str(path), "fingerprint": public["fingerprint"]})
        return
    say("已登记：信任 {level} {code}，指纹 {fp} — 请与对方核对", "Enrolled: trusting {level} {code}, fingerprint {fp}: check it with them",
        level=level_name(issuer["level"]), code=issuer["code"], fp=issuer["fingerprint"])
    say("本账本公钥文件：{path}（指纹 {fp}），交给对方运行 grid trust add",
        "This ledger's public-key file: {path} (fingerprint {fp}); give it to them for `grid trust add`",
        path=path, fp=public["fingerprint"])
