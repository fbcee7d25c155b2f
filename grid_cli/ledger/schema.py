"""The ledger's schema, changed only through numbered migrations recorded in `migrations`.

Entity tables (households, members) carry `_v`: a JSON map field -> "hlc replica" of the change that
last set that field, so per-field last-writer-wins needs no second table. Events (visits, measures,
decisions) are append-only rows. `changes` is the replica's change log: every write, local or merged.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "ledger foundation",
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE households (
            id TEXT PRIMARY KEY, hh_no TEXT, grid TEXT, village TEXT, group_no TEXT, phone TEXT,
            hh_type TEXT, category TEXT, flags TEXT, address TEXT,
            status TEXT NOT NULL DEFAULT '正常', merged_into TEXT, status_date TEXT, status_reason TEXT,
            _v TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX households_hh_no ON households(hh_no);
        CREATE TABLE members (
            id TEXT PRIMARY KEY, household_id TEXT, name TEXT, id_number TEXT, relation TEXT,
            sex TEXT, birth_date TEXT, ethnicity TEXT, education TEXT,
            school_status TEXT, dropout_reason TEXT, health TEXT, disability_grade TEXT, chronic_card INTEGER,
            labour_skill TEXT, work_status TEXT, work_months INTEGER,
            medical_insurance INTEGER, serious_illness_insurance INTEGER, pension_insurance INTEGER,
            dibao INTEGER, tekun INTEGER, phone TEXT,
            status TEXT NOT NULL DEFAULT '正常', status_date TEXT, status_reason TEXT,
            _v TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX members_household ON members(household_id);
        CREATE INDEX members_id_number ON members(id_number);
        CREATE TABLE config (year INTEGER NOT NULL, key TEXT NOT NULL, value TEXT, _v TEXT NOT NULL DEFAULT '{}',
                             PRIMARY KEY (year, key));
        CREATE TABLE events (
            id TEXT PRIMARY KEY, household_id TEXT, kind TEXT NOT NULL, date TEXT, data TEXT NOT NULL,
            hlc TEXT NOT NULL, origin TEXT NOT NULL
        );
        CREATE INDEX events_household ON events(household_id, kind, date);
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, origin TEXT NOT NULL, origin_seq INTEGER NOT NULL,
            hlc TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, body TEXT NOT NULL,
            UNIQUE (origin, origin_seq)
        );
        CREATE TABLE conflicts (
            id INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT, entity_id TEXT, field TEXT,
            kept_value TEXT, kept_version TEXT, lost_value TEXT, lost_version TEXT,
            status TEXT NOT NULL DEFAULT 'open', noted_at TEXT
        );
        CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY AUTOINCREMENT, origin TEXT, origin_seq INTEGER, reason TEXT, body TEXT,
            noted_at TEXT
        );
        CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, action TEXT, detail TEXT);
        """,
    ),
]

LATEST = MIGRATIONS[-1][0]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration not yet recorded; return the schema version. The connection is in
    autocommit mode (isolation_level=None), so transactions are explicit."""
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    done = {row[0] for row in conn.execute("SELECT id FROM migrations")}
    for number, name, sql in MIGRATIONS:
        if number in done:
            continue
        conn.execute("BEGIN IMMEDIATE")  # each migration in one transaction, recorded with it
        try:
            for statement in filter(str.strip, sql.split(";")):
                conn.execute(statement)
            conn.execute("INSERT INTO migrations VALUES (?, ?, datetime('now'))", (number, name))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return max(done | {n for n, _, _ in MIGRATIONS})
