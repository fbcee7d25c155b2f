"""Enrolment and the trust store.

The township issues an enrolment file for one of its grids (`issue_enrolment`): the grid's code and the
township's place and public keys, signed by the township. On the monitor's laptop `enroll` adopts it (the
ledger then trusts the township's keys, bound to the township's place) and returns the grid's public-key
file, which the township trusts with `trust_add`. Township <-> county works the same way.

Every file is self-signed (it proves the holder has the private key and was not altered on the way); who
the key belongs to is settled by the people: both sides compare the fingerprints shown by
`grid keys show` (over the phone, on paper) before trusting.

Revocation (`revoke`) is by sequence, never by a time a bundle states about itself (a stolen key can
write any time): the hub records the last change it holds from that replica (or the one the monitor
states, from the `-s<N>` of the last bundle's name) as the cut-off. Changes up to it are still taken (a
bundle already on its way); anything beyond is refused, unless staff admit one bundle after inspecting it
(`grid trust admit`, audited). A hub states the revocation to the rest of the tree (statements.py), so the
county holds the same cut-off. Replacing a lost laptop (`trust_add(..., replace=True)`) revokes the old key
if not yet revoked and retires the old replica's binding: its history stays, its place passes to the new
replica.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from grid_cli.clock import parse_local_time
from grid_cli.errors import DataError, Refused, UsageError, require
from grid_cli.fastjson import document
from grid_cli.ledger import Ledger, canonical
from grid_cli.security.keys import FILE_DOMAIN, create_keys, fingerprint, has_keys, load_keys, verify
from grid_cli.place import CHILD_LEVEL, LEVEL_ZH, PARENT_LEVEL, REPLICA_RE, Place, here, label, scope_codes

PUBLIC_FORMAT = "grid-public-key"
ENROL_FORMAT = "grid-enrolment"


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def loss_time(text: str) -> dt.datetime:
    """When a key was lost, as a person types it (local time unless a zone is given): readable, not in the
    future. Recorded and shown; it decides nothing (the cut-off is a sequence number)."""
    try:
        value = parse_local_time(str(text))
    except ValueError:
        raise UsageError(f"无法识别时间“{text}”，请写成 2026-11-20 08:00", f"cannot read the time '{text}'; write it as 2026-11-20 08:00") from None
    if value > dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5):
        raise UsageError(f"时间 {text} 晚于现在", f"the time {text} is in the future")
    return value


def _signed(doc: dict[str, Any], keys) -> dict[str, Any]:
    body = {k: v for k, v in doc.items() if k != "signature"}
    return {**body, "signature": keys.sign(canonical(body).encode("utf-8"), FILE_DOMAIN).hex()}


def _check_signed(doc: dict[str, Any], sign_pk: str, what: tuple[str, str]) -> None:
    body = {k: v for k, v in doc.items() if k != "signature"}
    try:
        signature = bytes.fromhex(doc["signature"])
    except (KeyError, ValueError, TypeError):
        signature = b""
    if not verify(sign_pk, canonical(body).encode("utf-8"), signature, FILE_DOMAIN):
        raise Refused(f"{what[0]}的签名不符（文件被改动或伪造）", f"the {what[1]}'s signature does not match (altered or forged)",
                      hint_zh="请对方重新生成该文件", hint_en="ask for a fresh file")


def read_json(path: Path, fmt: str, what: tuple[str, str]) -> dict[str, Any]:
    path = Path(path)
    try:
        doc = document(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"找不到文件：{path}", f"no file at {path}") from None
    except (ValueError, UnicodeDecodeError):
        raise DataError(f"{path} 不是{what[0]}", f"{path} is not a {what[1]}") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise DataError(f"{path} 不是{what[0]}", f"{path} is not a {what[1]}",
                        hint_zh="检查文件是否拿错", hint_en="check it is the right file")
    return doc


def _check_public(pub: Any) -> dict[str, Any]:
    try:
        require(isinstance(pub, dict) and REPLICA_RE.fullmatch(str(pub["replica"])))
        require(pub["level"] in LEVEL_ZH and isinstance(pub["code"], str) and pub["code"])
        sign_pk, box_pk = bytes.fromhex(pub["sign_pk"]), bytes.fromhex(pub["box_pk"])
        require(len(sign_pk) == 32 and len(box_pk) == 32)
    except (AssertionError, KeyError, TypeError, ValueError):
        raise DataError("公钥信息不完整或格式不对", "the public key entry is incomplete or malformed") from None
    return {**pub, "fingerprint": fingerprint(sign_pk, box_pk)}


# -- files ------------------------------------------------------------------------------------------
def public_key_file(ledger: Ledger) -> dict[str, Any]:
    """This ledger's public-key file (what the level above or below trusts with `grid trust add`)."""
    keys = load_keys(ledger)
    me = here(ledger)
    return _signed({"format": PUBLIC_FORMAT, "version": 1, **keys.public(me.as_dict()), "created": now_iso()}, keys)


def issue_enrolment(ledger: Ledger, code: str) -> dict[str, Any]:
    """An enrolment file for a grid (township ledger) or a township (county ledger) of this ledger's area."""
    me = here(ledger)
    child = CHILD_LEVEL.get(me.level)
    if child is None:
        raise UsageError("网格账本不能发放登记文件（由乡镇发放）", "a grid ledger does not issue enrolment files (the township does)")
    if code not in scope_codes(ledger, child):
        raise UsageError(f"{code} 不在本{LEVEL_ZH[me.level]}的范围内", f"{code} is not within this {me.level}'s area",
                         hint_zh="先用 grid sync scope --add 加入范围", hint_en="add it first with `grid sync scope --add`")
    keys = load_keys(ledger)
    grids = [code] if child == "grid" else scope_codes(ledger, "grid", code)
    return _signed({"format": ENROL_FORMAT, "version": 1, "for": {"level": child, "code": code, "parent": me.code},
                    "issuer": keys.public(me.as_dict()), "scope": {"grids": grids}, "issued": now_iso()}, keys)


# -- the trust store --------------------------------------------------------------------------------
def trusted(ledger: Ledger, *, replica: str | None = None, level: str | None = None, code: str | None = None,
            active: bool = False, current: bool = False) -> list[dict[str, Any]]:
    """Trusted keys, optionally only unrevoked ones (`active`) and only those of replicas not retired after a
    lost laptop (`current`)."""
    sql, params = "SELECT * FROM trusted_keys WHERE 1=1", []
    for column, value in (("replica", replica), ("level", level), ("code", code)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    if active:
        sql += " AND revoked_at IS NULL"
    if current:
        sql += (" AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.id = trusted_keys.replica"
                " AND r.retired_at IS NOT NULL)")
    return ledger.query(sql + " ORDER BY level, code, added_at", params)


def _store(ledger: Ledger, pub: dict[str, Any], *, replace: bool, note: str) -> dict[str, Any]:
    """Trust a public key (as `_check_public` returns it) bound to its place (one transaction).
    Returns {status, key, replaced}."""
    zh, en = label(pub["level"], pub["code"])
    conn = ledger.conn
    if pub["replica"] == ledger.replica_id:
        raise UsageError("这是本账本自己的公钥", "this is this ledger's own public key")
    held = trusted(ledger, replica=pub["replica"])
    if held:
        row = held[0]
        if (row["sign_pk"], row["box_pk"]) != (pub["sign_pk"], pub["box_pk"]) \
                or (row["level"], row["code"]) != (pub["level"], pub["code"]):
            raise Refused(f"副本 {pub['replica'][-8:]} 已用另一把密钥登记（{row['fingerprint']}）",
                          f"replica {pub['replica'][-8:]} is enrolled with another key ({row['fingerprint']})",
                          hint_zh="密钥不符：请当面核对指纹", hint_en="the keys do not match: compare fingerprints in person")
        return {"status": "already", "key": row, "replaced": None}
    bound = conn.execute("SELECT level, code, retired_at FROM replicas WHERE id = ?", (pub["replica"],)).fetchone()
    if bound is not None and ((bound[0], bound[1]) != (pub["level"], pub["code"]) or bound[2]):
        bzh, ben = label(bound[0], bound[1])
        raise Refused(f"副本 {pub['replica'][-8:]} 已登记为{bzh}", f"replica {pub['replica'][-8:]} is known as {ben}")
    others = [r for r in ledger.query("SELECT id FROM replicas WHERE level = ? AND code = ? AND retired_at IS NULL",
                                      (pub["level"], pub["code"])) if r["id"] != pub["replica"]]
    others += [{"id": r["replica"]} for r in trusted(ledger, level=pub["level"], code=pub["code"], current=True)
               if r["replica"] != pub["replica"] and r["via"] is None]
    old = sorted({r["id"] for r in others})
    if old and not replace:
        raise Refused(f"{zh}已登记为另一个副本（{old[0][-8:]}）", f"{en} is already enrolled as another replica ({old[0][-8:]})",
                      hint_zh="若是换了电脑（原电脑丢失），加 --replace：旧密钥作废，旧记录保留",
                      hint_en="if the laptop was replaced (lost), add --replace: the old key is revoked, its history kept")
    stamp = now_iso()
    with ledger.write() as w:
        for replica in old:
            w.conn.execute("UPDATE trusted_keys SET revoked_at = ?, revoked_upto = ? WHERE replica = ? AND revoked_at IS NULL",
                           (stamp, held_upto(w.conn, replica), replica))
            w.conn.execute("UPDATE replicas SET retired_at = ? WHERE id = ?", (stamp, replica))
            w.audit("trust-replaced", f"{pub['level']} {pub['code']}: {replica[-8:]} -> {pub['replica'][-8:]}")
        w.conn.execute("INSERT INTO trusted_keys (replica, level, code, parent, sign_pk, box_pk, fingerprint, added_at, note)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (pub["replica"], pub["level"], pub["code"], pub.get("parent"), pub["sign_pk"], pub["box_pk"],
                        pub["fingerprint"], stamp, note))
        w.conn.execute("INSERT OR IGNORE INTO replicas (id, level, code, parent, first_seen) VALUES (?, ?, ?, ?, datetime('now'))",
                       (pub["replica"], pub["level"], pub["code"], pub.get("parent")))
        w.audit("trust-add", f"{pub['level']} {pub['code']} {pub['fingerprint']}")
    return {"status": "added", "key": trusted(ledger, replica=pub["replica"])[0], "replaced": old or None}


def trust_add(ledger: Ledger, doc: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
    """Trust a public-key file from the level below (a grid of this township, a township of this county),
    or from the level above."""
    if not has_keys(ledger):
        raise UsageError("本账本还没有密钥", "this ledger has no keys yet", hint_zh="先运行 grid keys init", hint_en="run `grid keys init` first")
    pub = _check_public(doc)
    _check_signed(doc, pub["sign_pk"], ("公钥文件", "public-key file"))
    me = here(ledger)
    zh, en = label(pub["level"], pub["code"])
    below = CHILD_LEVEL.get(me.level) == pub["level"] and pub["code"] in scope_codes(ledger, pub["level"]) \
        and pub.get("parent") == me.code
    above = PARENT_LEVEL.get(me.level) == pub["level"] and pub["code"] == me.parent
    if not (below or above):
        raise Refused(f"{zh}不在本{LEVEL_ZH[me.level]}的范围内，也不是上级", f"{en} is neither within this {me.level}'s area nor above it",
                      hint_zh="检查文件是否拿错，或先用 grid sync scope --add 加入范围",
                      hint_en="check it is the right file, or add it with `grid sync scope --add`")
    return _store(ledger, pub, replace=replace, note="trust add")


def enroll(ledger: Ledger, doc: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
    """Adopt an enrolment file from the level above; returns {trusted, public} where `public` is this
    ledger's public-key file for the issuer to `grid trust add`. Creates this ledger's keys if it has none."""
    try:
        target, issuer = doc["for"], _check_public(doc["issuer"])
        require(isinstance(target, dict) and target["level"] in LEVEL_ZH and isinstance(target.get("code"), str))
    except (KeyError, TypeError, AssertionError):
        raise DataError("登记文件缺少字段", "the enrolment file is missing fields") from None
    _check_signed(doc, issuer["sign_pk"], ("登记文件", "enrolment file"))
    me = here(ledger)
    if (target["level"], target["code"]) != (me.level, me.code):
        zh, en = label(target["level"], target["code"])
        mzh, men = label(me.level, me.code)
        raise Refused(f"这个登记文件是给{zh}的，不是给本账本（{mzh}）的", f"this enrolment file is for {en}, not for this ledger ({men})",
                      hint_zh="向乡镇索取本网格的登记文件", hint_en="ask for this ledger's own enrolment file")
    if issuer["level"] != PARENT_LEVEL.get(me.level) or issuer["code"] != me.parent or target.get("parent") != me.parent:
        zh, en = label(issuer["level"], issuer["code"])
        raise Refused(f"登记文件由{zh}发放，但本账本属于{LEVEL_ZH.get(PARENT_LEVEL.get(me.level, ''), '')} {me.parent}",
                      f"the enrolment file was issued by {en}, but this ledger belongs to {PARENT_LEVEL.get(me.level)} {me.parent}")
    if not has_keys(ledger):
        create_keys(ledger)
    stored = _store(ledger, issuer, replace=replace, note="enroll")
    return {"trusted": stored, "public": public_key_file(ledger)}


def held_upto(conn, replica: str) -> int:
    """The last change of a replica held here (its changes may have holes: the highest one)."""
    return conn.execute("SELECT coalesce(max(hi), 0) FROM seq_ranges WHERE origin = ? AND kind = 'have'",
                        (replica,)).fetchone()[0]


def revoke(ledger: Ledger, what: str, *, at: str | None = None, upto: int | None = None) -> list[dict[str, Any]]:
    """Revoke the trusted key(s) of a place code, a replica id (or its last 8) or a fingerprint. The cut-off
    is the last change held here from it, or `upto` (the last one the monitor says it sent) if that is more."""
    stamp = loss_time(at).astimezone(dt.timezone.utc).isoformat(timespec="milliseconds") if at else now_iso()
    if upto is not None and upto < 0:
        raise UsageError("--upto 不能为负数", "--upto cannot be negative")
    rows = [r for r in trusted(ledger, active=True) if r["via"] is None
            and what in (r["code"], r["replica"], r["replica"][-8:], r["fingerprint"], r["fingerprint"].replace(" ", ""))]
    if not rows:
        raise UsageError(f"没有可作废的信任密钥：{what}", f"no trusted key to revoke matches {what}",
                         hint_zh="用 grid trust list 查看", hint_en="see them with `grid trust list`")
    with ledger.write() as w:
        for row in rows:
            cut = max(held_upto(w.conn, row["replica"]), upto or 0)
            w.conn.execute("UPDATE trusted_keys SET revoked_at = ?, revoked_upto = ? WHERE replica = ?",
                           (stamp, cut, row["replica"]))
            w.audit("trust-revoke", f"{row['level']} {row['code']} {row['fingerprint']} upto {cut} (lost at {stamp})")
    return [trusted(ledger, replica=r["replica"])[0] for r in rows]


def signer_of(ledger: Ledger, place: Place) -> dict[str, Any] | None:
    """The trusted, unrevoked key enrolled here for a place (the recipient of an export)."""
    rows = [r for r in trusted(ledger, level=place.level, code=place.code, active=True, current=True) if r["via"] is None]
    return rows[-1] if rows else None
