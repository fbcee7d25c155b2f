"""Signed and encrypted bundles (issue 6): keys, enrolment, each refusal of a bundle that is not from a
trusted, unrevoked key of its place, for this ledger, unaltered and new (one line, exit 1, the ledger
unchanged), inspect, and that a bundle's bytes hold no readable name, ID number or income."""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from pathlib import Path

import pytest
from conftest import make_id
from sealing import reseal, unseal
from synckit import GRID, export, grid, merge, refused, state

from grid_cli.ledger import Ledger
from grid_cli.sync import create_hub, export_bundle, merge_bundle
from grid_cli.errors import Unsigned

NAME, PHONE, INCOME = "欧阳秀英", "13912345678", 37651
ID_NUMBER = make_id("19680412", 23)


def add_private(p, name="G1"):
    """A household whose head has a known name, ID number and phone, and a visit with a known income."""
    d = p["dir"]
    grid(d, "--ledger", p[name], "household", "add", "--hh-no", "G1077", "--head", NAME, "--head-id", ID_NUMBER,
         "--phone", PHONE)
    grid(d, "--ledger", p[name], "visit", "G1077", "--yes", "--date", "2026-03-01", "--wages", str(INCOME))


# -- keys ------------------------------------------------------------------------------------------
def test_keys_live_beside_the_ledger_owner_only_and_show_prints_no_secret(tree):
    key_file = Path(tree["G1"] + ".key")
    assert key_file.is_file()
    if os.name != "nt":
        assert key_file.stat().st_mode & 0o777 == 0o600
    secrets = json.loads(key_file.read_text(encoding="utf-8"))
    shown = grid(tree["dir"], "--ledger", tree["G1"], "keys", "show", "--json").output
    info = json.loads(shown)
    assert len(info["fingerprint"].replace(" ", "")) == 16
    for secret in (secrets["sign_seed"], secrets["box_secret"], secrets["pseudonym_secret"]):
        assert secret not in shown
    ledger = Ledger.open(Path(tree["G1"]))
    try:  # nor is any of it in the ledger file (a copy of the ledger carries no key)
        assert not ledger.query("SELECT 1 FROM meta WHERE value LIKE ?", (f"%{secrets['sign_seed']}%",))
    finally:
        ledger.close()


def test_a_missing_key_file_is_a_data_error_not_a_silent_downgrade(tree):
    Path(tree["G1"] + ".key").rename(Path(tree["dir"]) / "elsewhere.key")
    result = grid(tree["dir"], "--ledger", tree["G1"], "sync", "export", "--out", str(tree["dir"] / "x.zip"), ok=False)
    assert result.exit_code == 3 and "key file is missing" in result.output
    assert not (tree["dir"] / "x.zip").exists()


def test_export_to_a_peer_that_is_not_enrolled_is_refused(tmp_path):
    p = {"dir": tmp_path, "G1": str(tmp_path / "G1.db")}
    grid(tmp_path, "--ledger", p["G1"], "init", "--grid", "G1", *GRID)
    result = grid(tmp_path, "--ledger", p["G1"], "sync", "export", "--out", str(tmp_path / "x.zip"), ok=False)
    assert result.exit_code == 1 and "not enrolled" in result.output and "grid enroll" in result.output


def test_trust_list_shows_both_directions(tree):
    rows = json.loads(grid(tree["dir"], "--ledger", tree["T1"], "trust", "list", "--json").output)
    assert sorted((r["level"], r["code"]) for r in rows) == [("county", "C"), ("grid", "G1"), ("grid", "G2")]
    rows = json.loads(grid(tree["dir"], "--ledger", tree["G1"], "trust", "list", "--json").output)
    assert [(r["level"], r["code"]) for r in rows] == [("township", "T1")]


def test_enrolment_file_for_another_grid_is_refused(tree):
    result = grid(tree["dir"], "--ledger", tree["G1"], "enroll", str(tree["dir"] / "G2-enrol.json"), ok=False)
    assert result.exit_code == 1 and "is for grid G2" in result.output


def test_an_altered_public_key_file_is_refused(tree):
    d = tree["dir"]
    pub = json.loads((d / "G1-public.json").read_text(encoding="utf-8"))
    pub["code"] = "G2"  # claims another grid: the self-signature no longer matches
    (d / "bad-public.json").write_text(json.dumps(pub), encoding="utf-8")
    result = grid(d, "--ledger", tree["T1"], "trust", "add", str(d / "bad-public.json"), ok=False)
    assert result.exit_code == 1 and "signature does not match" in result.output


# -- refusals (point 3) ----------------------------------------------------------------------------
def test_unknown_key_is_refused(tree):
    """A grid ledger enrolled on T1's side of nothing: T1 never trusted its key."""
    p = dict(tree, G2b=str(tree["dir"] / "G2b.db"))
    grid(p["dir"], "--ledger", p["G2b"], "init", "--grid", "G2", *GRID)
    grid(p["dir"], "--ledger", p["G2b"], "enroll", str(p["dir"] / "G2-enrol.json"), "--out", str(p["dir"] / "x.json"))
    refused(p, "T1", export(p, "G2b"), ["unknown key"])


def test_key_enrolled_for_another_place_is_refused(tree):
    """G1 signs with its own (trusted) key a bundle that claims to come from grid G2."""
    b = export(tree, "G1")
    forged = reseal(b, tree["dir"] / "claim.zip", tree["G1"], tree["T1"],
                    manifest=lambda m: m["sender"].update(code="G2"))
    refused(tree, "T1", forged, ["enrolled for grid G1"])


def test_signature_by_another_key_is_refused(tree):
    """A bundle that names G1 as its sender, signed with G2's (trusted) key."""
    b = export(tree, "G1")
    forged = reseal(b, tree["dir"] / "g2signed.zip", tree["G2"], tree["T1"])
    refused(tree, "T1", forged, ["signing key other than the one enrolled"])


def test_revoked_key_refuses_later_changes_and_takes_earlier_ones(tree):
    """The cut-off is a sequence number: changes up to it are taken (the bundle on its way), later ones are
    refused whatever time their bundle states (a stolen laptop can write any)."""
    p = tree
    early = export(p, "G1")
    last = json.loads(zipfile.ZipFile(early).read("manifest.json"))["last_own"]
    grid(p["dir"], "--ledger", p["T1"], "trust", "revoke", "G1", "--upto", str(last))
    grid(p["dir"], "--ledger", p["G1"], "household", "add", "--hh-no", "G1099", "--head", "新户")
    ledger = Ledger.open(Path(p["G1"]))
    try:  # the thief backdates the bundle by a year
        late = Path(export_bundle(ledger, p["dir"] / "late.zip",
                                  now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=365)).path)
    finally:
        ledger.close()
    refused(p, "T1", late, ["revoked"])
    merge(p, "T1", early)  # up to the cut-off: still taken
    listed = json.loads(grid(p["dir"], "--ledger", p["T1"], "trust", "list", "--json").output)
    assert [r["revoked_upto"] for r in listed if r["code"] == "G1"] == [last]
    # and T1 seals nothing more for the revoked key
    result = grid(p["dir"], "--ledger", p["T1"], "sync", "export", "--for", "G1", "--out", str(p["dir"] / "d.zip"), ok=False)
    assert result.exit_code == 1 and "revoked" in result.output


def test_an_unreadable_created_time_is_refused_not_a_crash(tree):
    """A time it cannot read refuses the bundle in one line (was exit 4); it is shown, and decides nothing."""
    grid(tree["dir"], "--ledger", tree["T1"], "trust", "revoke", "G1", "--at", "2026-01-01T00:00:00+00:00")
    forged = reseal(export(tree, "G1"), tree["dir"] / "when.zip", tree["G1"], tree["T1"],
                    manifest=lambda m: m.update(created="yesterday"))
    refused(tree, "T1", forged, ["missing fields or has wrong ones"])


def test_an_enrolment_file_without_its_place_code_is_a_data_error(tree):
    d = tree["dir"]
    doc = json.loads((d / "G1-enrol.json").read_text(encoding="utf-8"))
    del doc["for"]["code"]
    (d / "no-code.json").write_text(json.dumps(doc), encoding="utf-8")
    result = grid(d, "--ledger", tree["G1"], "enroll", str(d / "no-code.json"), ok=False)
    assert result.exit_code == 3 and "missing fields" in result.output, result.output


def test_manifest_checks_hold_under_python_O():
    """The input checks are not `assert`s, which `python -O` strips: a manifest whose direction is neither
    up nor down is still refused."""
    import subprocess
    import sys

    code = """
from grid_cli.errors import BadFormat
from grid_cli.sync.format import check_manifest
m = {"format": "grid-bundle", "version": 1, "direction": "sideways", "created": "2026-11-01T00:00:00+00:00",
     "sender": {"replica": "a", "level": "grid", "code": "G1"}, "recipient": {"level": "township", "code": "T1"},
     "origins": {}, "ranges": {}, "counts": {}, "have": {}, "scope": {},
     "payload": {"sha256": "", "bytes": 0, "lines": 0}}
try:
    check_manifest(m)
except BadFormat:
    print("refused")
"""
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "refused"


def test_wrong_recipient_is_refused(tree):
    p = tree
    b = export(p, "G1")
    refused(p, "G2", b, ["is for township T1"])
    # addressed to T1 but encrypted to another key (e.g. a township ledger re-made with new keys)
    forged = reseal(b, p["dir"] / "otherkey.zip", p["G1"], p["T1"],
                    manifest=lambda m: m["security"]["encryption"].update(recipient="0000 0000 0000 0000"))
    refused(p, "T1", forged, ["encrypted to another key"])


def test_altered_bytes_are_refused(tree):
    p = tree
    b = export(p, "G1")
    with zipfile.ZipFile(b) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}

    def write(name, changes):
        out = p["dir"] / name
        with zipfile.ZipFile(out, "w") as zf:
            for n, data in {**entries, **changes}.items():
                zf.writestr(n, data)
        return out

    enc = bytearray(entries["payload.enc"])
    enc[len(enc) // 2] ^= 0x01
    refused(p, "T1", write("enc.zip", {"payload.enc": bytes(enc)}), ["sha256 does not match"])
    m = json.loads(entries["manifest.json"])
    m["counts"] = {o: n + 1 for o, n in m["counts"].items()}
    refused(p, "T1", write("manifest.zip", {"manifest.json": json.dumps(m).encode()}), ["signature does not match"])
    refused(p, "T1", write("nosig.zip", {"manifest.sig": b"00" * 64}), ["signature does not match"])
    raw = bytearray(b.read_bytes())
    raw[raw.find(entries["payload.enc"][:16]) + 40] ^= 0x80  # a flipped bit inside the stored entry
    flipped = p["dir"] / "flip.zip"
    flipped.write_bytes(bytes(raw))
    refused(p, "T1", flipped, ["damaged or altered"])


def test_unsigned_bundle_is_refused_by_a_ledger_with_keys(tree, tmp_path):
    p = tree
    plain = Ledger.create(tmp_path / "plain.db", {"level": "grid", "grid_code": "G1", "township": "T1", "county": "C",
                                                  "year": 2026})  # a ledger without keys writes format 1
    with plain.write() as w:
        w.put("household", "h-plain", {"hh_no": "P1", "grid": "G1", "status": "正常"})
    b = Path(export_bundle(plain, tmp_path / "plain.zip").path)
    plain.close()
    assert json.loads(zipfile.ZipFile(b).read("manifest.json"))["version"] == 1
    refused(p, "T1", b, ["not signed and encrypted"])


def test_replays_change_nothing(tree):
    """A bundle merged before, as the same file or repacked: skipped with a line, nothing changed (a replay
    is harmless, so it does not make a merge look failed: exit 0)."""
    p = tree
    b = export(p, "G1")
    merge(p, "T1", b)
    with zipfile.ZipFile(b) as src, zipfile.ZipFile(p["dir"] / "repacked.zip", "w", zipfile.ZIP_DEFLATED) as dst:
        for name in reversed(src.namelist()):  # the same signed bundle in a new file
            dst.writestr(name, src.read(name))
    before = state(p, "T1")
    for again in (b, p["dir"] / "repacked.zip"):
        out = merge(p, "T1", again).output
        assert "skipped" in out and "already merged" in out
    assert state(p, "T1") == before


def test_plain_ledgers_still_exchange_the_unsealed_format(tmp_path):
    township = create_hub(tmp_path / "T.db", "township", township="T1", county="C", codes=["G1"], year=2026, year_config=None)
    g1 = Ledger.create(tmp_path / "G1.db", {"level": "grid", "grid_code": "G1", "township": "T1", "county": "C", "year": 2026})
    with g1.write() as w:
        w.put("household", "h1", {"hh_no": "A1", "grid": "G1", "status": "正常"})
    b = Path(export_bundle(g1, tmp_path).path)
    assert merge_bundle(township, b).applied == 1
    from sealing import enrol

    enrol(township, g1)  # from now on both take only sealed bundles
    with g1.write() as w:
        w.put("household", "h1", {"village": "东村"})
    b2 = Path(export_bundle(g1, tmp_path / "b2.zip").path)
    assert json.loads(zipfile.ZipFile(b2).read("manifest.json"))["version"] == 3
    assert merge_bundle(township, b2).applied == 1
    plain = Ledger.create(tmp_path / "P.db", {"level": "grid", "grid_code": "G1", "township": "T1", "county": "C", "year": 2026})
    with pytest.raises(Unsigned):
        merge_bundle(township, Path(export_bundle(plain, tmp_path / "p.zip").path))
    for ledger in (township, g1, plain):
        ledger.close()


# -- privacy ---------------------------------------------------------------------------------------
def test_bundle_bytes_hold_no_name_id_number_or_income(tree):
    p = tree
    add_private(p)
    b = export(p, "G1")
    needles = [NAME.encode("utf-8"), ID_NUMBER.encode(), PHONE.encode(), str(INCOME).encode(),
               json.dumps(NAME).encode()]  # also as JSON escapes
    raw = b.read_bytes()
    with zipfile.ZipFile(b) as zf:
        blobs = [raw] + [zf.read(n) for n in zf.namelist()]
    for blob in blobs:
        for needle in needles:
            assert needle not in blob, needle
    # the search is real: the recipient's key opens it and they are all there
    _m, lines = unseal(b, p["T1"])
    text = "".join(lines)
    assert NAME in text and ID_NUMBER in text and PHONE in text and str(INCOME) in text
    # and the way up to the county is sealed too
    merge(p, "T1", b)
    up = export(p, "T1")
    for needle in needles:
        assert needle not in up.read_bytes()


# -- inspect ---------------------------------------------------------------------------------------
def test_inspect_shows_the_envelope_without_a_key_and_the_effect_with_it(tree):
    p = tree
    add_private(p)
    b = export(p, "G1")
    out = grid(p["dir"], "sync", "inspect", str(b), "--json").output  # no ledger: the envelope only
    info = json.loads(out)
    assert info["sealed"] and info["sender"]["code"] == "G1" and info["recipient"]["code"] == "T1"
    assert info["scope"] == ["G1"] and info["signer"] and info["recipient_key"]
    assert "would" not in info and NAME not in out and ID_NUMBER not in out
    before = state(p, "T1")
    info = json.loads(grid(p["dir"], "--ledger", p["T1"], "sync", "inspect", str(b), "--json").output)
    assert info["would"]["status"] == "merge"
    assert info["would"]["by_entity"]["event:visit"] == 1 and info["would"]["by_entity"]["household"] == 4
    assert state(p, "T1") == before  # a dry run: nothing applied, nothing recorded
    text = grid(p["dir"], "--ledger", p["G2"], "sync", "inspect", str(b)).output
    assert "refused" in text and "is for township T1" in text
    merge(p, "T1", b)
