"""Signed chain heads (security/heads.py): an origin's changes, proven by its own signed head through any
relay, with the aligned blocks of what is left out: a few per gap, never one per change left out."""

from __future__ import annotations

import hashlib

import pytest

from grid_cli.ledger import Ledger
from grid_cli.ledger.changes import LINE_COLUMNS, Mountains, change_line
from grid_cli.security.heads import OriginProof, aligned, plan, proof, sign_own_head
from grid_cli.security.keys import create_keys, load_keys
from grid_cli.errors import BundleRefused


@pytest.fixture
def origin(tmp_path):
    """A grid ledger with keys and 300 changes, and its head signed."""
    ledger = Ledger.create(tmp_path / "g.db", {"level": "grid", "grid_code": "G1", "township": "T1", "county": "C", "year": 2026})
    create_keys(ledger)
    with ledger.write() as w:
        for n in range(300):
            w.put("household", f"h{n:03d}", {"hh_no": f"H{n:03d}", "grid": "G1"})
    with ledger.write() as w:
        top = sign_own_head(w.conn, ledger.replica_id, load_keys(ledger))
    yield ledger, top
    ledger.close()


def lines_of(ledger, seqs) -> dict[int, bytes]:
    out = {}
    for row in ledger.conn.execute(f"SELECT {LINE_COLUMNS} FROM changes WHERE origin = ? ORDER BY origin_seq",
                                   (ledger.replica_id,)):
        if row[1] in seqs:
            out[row[1]] = change_line(*row).rstrip("\n").encode("utf-8")
    return out


def check(ledger, info, lines: dict[int, bytes]) -> None:
    p = OriginProof(ledger.replica_id, info, ("网格 G1", "grid G1"))
    for seq in sorted(lines):
        p.add(seq, hashlib.sha256(lines[seq]).digest())
    p.finish()
    p.verify(ledger.meta("keys")["sign_pk"])


def test_aligned_blocks_cover_exactly_and_fewest():
    for first, last in ((0, 0), (0, 6), (3, 17), (5, 1000), (1023, 1024)):
        blocks = list(aligned(first, last))
        covered = [i for level, start in blocks for i in range(start, start + (1 << level))]
        assert covered == list(range(first, last + 1))
        assert all(start % (1 << level) == 0 for level, start in blocks)
        assert len(blocks) <= 2 * (last - first + 1).bit_length()


def test_a_mountain_range_grows_as_its_peaks():
    built = Mountains()
    for i in range(13):
        built.push(0, i, bytes([i]) * 32)
    assert [level for level, _i, _h in built.stack] == [3, 2, 0] and built.complete()
    assert Mountains(13, built.peaks()).acc() == built.acc()


def test_a_few_scattered_changes_are_proven_by_a_few_blocks(origin):
    ledger, top = origin
    sent = {7, 150, 151, 299}
    p = plan(ledger.conn, ledger.replica_id, ledger.replica_id, [(1, top)], [(1, top)])
    info = proof(ledger.conn, ledger.replica_id, p, sent)
    assert info["head"][0] == top == 300
    assert len(info["blocks"]) <= 4 * 2 * 9  # a handful per gap (log n), not the 296 changes left out
    check(ledger, info, lines_of(ledger, sent))


@pytest.mark.parametrize("attack", ["alter", "insert", "block", "misaligned", "extra-block", "past-head"])
def test_a_relay_cannot_alter_insert_or_reshape(origin, attack):
    ledger, top = origin
    sent = {10, 11, 200}
    p = plan(ledger.conn, ledger.replica_id, ledger.replica_id, [(1, top)], [(1, top)])
    info = proof(ledger.conn, ledger.replica_id, p, sent)
    lines = lines_of(ledger, sent)
    if attack == "alter":
        lines[200] = lines[200].replace(b"H199", b"H999")
    elif attack == "insert":  # a line where a block stood, the block split honestly around it
        lines[12] = b'{"forged":1}'
        info["blocks"] = [b for b in info["blocks"] if not b[0] <= 12 < b[0] + (1 << b[1])] + [[13, 0, "00" * 32]]
    elif attack == "block":
        info["blocks"][0][2] = "11" * 32
    elif attack == "misaligned":
        first, level, digest = info["blocks"][-1]
        info["blocks"][-1] = [first + 1, level, digest]
    elif attack == "extra-block":
        info["blocks"].append([top + 1, 0, "00" * 32])
    else:
        lines[top + 1] = b'{"beyond":1}'
    with pytest.raises(BundleRefused):
        check(ledger, info, lines)


def test_a_relay_proves_onward_what_it_received(origin, tmp_path):
    """A receiver keeps the head and the blocks; it can then prove a subset of what it got to the next ledger."""
    ledger, top = origin
    relay = Ledger.create(tmp_path / "t.db", {"level": "township", "township": "T1", "county": "C", "year": 2026})
    try:
        got = {n for n in range(1, top + 1) if n % 3 == 0}
        p = plan(ledger.conn, ledger.replica_id, ledger.replica_id, [(1, top)], [(1, top)])
        info = proof(ledger.conn, ledger.replica_id, p, got)
        rows = [tuple(r) for r in ledger.conn.execute(f"SELECT {LINE_COLUMNS} FROM changes WHERE origin = ?",
                                                      (ledger.replica_id,)) if r[1] in got]
        with relay.write() as w:
            w.conn.executemany("INSERT INTO changes (origin, origin_seq, hlc, entity, entity_id, body, prev)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            received = OriginProof(ledger.replica_id, info, ("网格 G1", "grid G1"))
            for seq, line in sorted(lines_of(ledger, got).items()):
                received.add(seq, hashlib.sha256(line).digest())
            received.finish()
            received.keep(w.conn)
        onward = {n for n in got if n % 2 == 0}  # what the next ledger should get
        p2 = plan(relay.conn, ledger.replica_id, relay.replica_id, [(1, top)], [(1, top)])
        info2 = proof(relay.conn, ledger.replica_id, p2, onward)
        check(ledger, info2, lines_of(ledger, onward))
    finally:
        relay.close()
