"""Writing synthetic events straight into a ledger for the benchmarks that bypass the Writer.

An event lives in the change that brought it (its body holds the data) and is found through `event_index`
(schema migration 4), so a synthetic event is one `changes` row plus one `event_index` row.
"""

from __future__ import annotations

from itertools import islice

from grid_cli.ledger.changes import canonical


def insert_events(conn, rows, origin: str = "bench") -> None:
    """rows: (id, household_id, kind, date, data as JSON text or a dict, hlc). One change per event, numbered
    from this origin's last seq; call inside a transaction."""
    seq = conn.execute("SELECT coalesce(max(origin_seq), 0) FROM changes WHERE origin = ?", (origin,)).fetchone()[0]
    base = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    base = max(base, (conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone() or [0])[0])
    rows = iter(rows)
    k = 0
    while True:  # in batches, so the synthetic ledger's build does not set the benchmark's peak memory
        changes, index = [], []
        for event_id, household, kind, date, data, hlc in islice(rows, 10_000):
            k += 1
            data = data if isinstance(data, str) else canonical(data)
            body = (f'{{"data":{data},"date":{canonical(date)},"household":{canonical(household)},'
                    f'"kind":{canonical(kind)},"op":"event"}}')
            changes.append((base + k, origin, seq + k, hlc, "event", event_id, body))
            index.append((event_id, household, kind, date, base + k))
        if not changes:
            return
        conn.executemany("INSERT INTO changes (seq, origin, origin_seq, hlc, entity, entity_id, body)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", changes)
        conn.executemany("INSERT INTO event_index (id, household_id, kind, date, change_seq) VALUES (?, ?, ?, ?, ?)",
                         index)
