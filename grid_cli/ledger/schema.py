"""The ledger's schema, changed only through numbered migrations recorded in `migrations`.

Entity tables (households, members) carry `_v`: a JSON map field -> "hlc replica" of the change that
last set that field, so per-field last-writer-wins needs no second table. `changes` is the replica's change
log: every write, local or merged. Events (visits, measures, decisions) are append-only: their data stays
in the change that brought them, found through `event_index` (the `events` view joins the two).
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
    (
        2,
        "sync: replicas, hub scope, received ranges, acknowledgements, bundles seen",
        # replicas: the other ledgers this one has heard of, each bound to one place (level + code).
        # scope: a hub's own area (a township's grids, a county's townships; a county also learns which
        #   township each grid belongs to). seq_ranges: per origin, the change seqs held ('have': in
        #   `changes` or quarantined) and covered ('cover': held, or declared not for this ledger by the
        #   sender). acks: per peer and origin, how far the peer said it is covered (from its bundles).
        # household_grids: every grid a household was ever assigned to (receiver-side scope checks).
        # put_bases: the base version the winning put of a field had seen (conflict detection).
        """
        CREATE TABLE replicas (id TEXT PRIMARY KEY, level TEXT NOT NULL, code TEXT NOT NULL, parent TEXT,
                               first_seen TEXT, last_bundle_at TEXT);
        CREATE UNIQUE INDEX replicas_place ON replicas(level, code);
        CREATE TABLE scope (code TEXT PRIMARY KEY, level TEXT NOT NULL, parent TEXT);
        CREATE TABLE seq_ranges (origin TEXT NOT NULL, kind TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,
                                 PRIMARY KEY (origin, kind, lo)) WITHOUT ROWID;
        CREATE TABLE acks (peer TEXT NOT NULL, origin TEXT NOT NULL, upto INTEGER NOT NULL,
                           PRIMARY KEY (peer, origin)) WITHOUT ROWID;
        CREATE TABLE bundles (file_sha256 TEXT PRIMARY KEY, payload_sha256 TEXT, bundle_id TEXT, sender TEXT,
                              direction TEXT, created TEXT, merged_at TEXT, changes INTEGER, applied INTEGER,
                              skipped INTEGER, quarantined INTEGER);
        CREATE TABLE household_grids (household_id TEXT NOT NULL, grid TEXT NOT NULL,
                                      PRIMARY KEY (household_id, grid)) WITHOUT ROWID;
        INSERT OR IGNORE INTO household_grids SELECT id, grid FROM households WHERE grid IS NOT NULL;
        CREATE TABLE put_bases (entity TEXT NOT NULL, entity_id TEXT NOT NULL, field TEXT NOT NULL,
                                base TEXT NOT NULL, PRIMARY KEY (entity, entity_id, field)) WITHOUT ROWID;
        DELETE FROM conflicts WHERE id NOT IN
            (SELECT min(id) FROM conflicts GROUP BY entity, entity_id, field, lost_version);
        CREATE UNIQUE INDEX conflicts_lost ON conflicts(entity, entity_id, field, lost_version)
        """,
    ),
    (
        3,
        "security: trusted keys, retired replicas, the change log's hash chain",
        # changes.prev: sha256 (hex) of the canonical line of the previous change of the same origin
        #   (GENESIS for seq 1; NULL for changes logged before this migration). It travels in bundles.
        # trusted_keys: the public keys of the ledgers this one exchanges bundles with (enrolment), each
        #   bound to one place; revoked_at: bundles signed after it are refused.
        # replicas.retired_at: a replica replaced by a re-enrolled one (a lost laptop); its history stays,
        #   its place is free for the new replica.
        """
        ALTER TABLE changes ADD COLUMN prev TEXT;
        CREATE TABLE trusted_keys (replica TEXT PRIMARY KEY, level TEXT NOT NULL, code TEXT NOT NULL, parent TEXT,
                                   sign_pk TEXT NOT NULL, box_pk TEXT NOT NULL, fingerprint TEXT NOT NULL,
                                   added_at TEXT NOT NULL, revoked_at TEXT, note TEXT);
        ALTER TABLE replicas ADD COLUMN retired_at TEXT;
        DROP INDEX replicas_place;
        CREATE UNIQUE INDEX replicas_place ON replicas(level, code) WHERE retired_at IS NULL
        """,
    ),
    (
        4,
        "events: an index over the change log instead of a second copy of every visit",
        # A visit's data was held twice: in its change's body and in events.data. `event_index` keeps only
        # what finds an event (id, household, kind, date) and the change that holds it; `events` is now a
        # view with the same columns as the old table, so readers are unchanged. A merge writes a visit's
        # bytes once (bench/merge.py). An event whose change is gone (a ledger tampered with: `grid verify`
        # reports the hole) is kept as it was in `events_legacy`, for whoever examines the file; the
        # ledger shows what its change log holds. (No UNION in the view: it would cost every read its index.)
        """
        CREATE TABLE event_index (id TEXT PRIMARY KEY, household_id TEXT, kind TEXT NOT NULL, date TEXT,
                                  change_seq INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX changes_event_tmp ON changes(entity_id, origin, hlc) WHERE entity = 'event';
        CREATE TEMP TABLE event_change AS SELECT e.id, (SELECT min(c.seq) FROM changes c WHERE c.entity = 'event'
            AND c.entity_id = e.id AND c.origin = e.origin AND c.hlc = e.hlc) AS seq FROM events e;
        INSERT INTO event_index SELECT e.id, e.household_id, e.kind, e.date, x.seq
            FROM events e JOIN event_change x ON x.id = e.id WHERE x.seq IS NOT NULL;
        CREATE TABLE events_legacy AS SELECT * FROM events WHERE id IN (SELECT id FROM event_change WHERE seq IS NULL);
        DROP TABLE temp.event_change;
        DROP INDEX changes_event_tmp;
        DROP TABLE events;
        CREATE INDEX event_index_household ON event_index(household_id, kind, date);
        CREATE VIEW events AS
            SELECT e.id AS id, e.household_id AS household_id, e.kind AS kind, e.date AS date,
                   json_extract(c.body, '$.data') AS data, c.hlc AS hlc, c.origin AS origin
            FROM event_index e JOIN changes c ON c.seq = e.change_seq
        """,
    ),
    (
        5,
        "national exports: member fields, matching by a normalised ID, what the last import said",
        # members_id_key: members are matched by upper(id_number) (idcard.id_key); an index on that
        #   expression lets the import find a member in one probe (it scanned the table for each row).
        # id_type (证件类型), employee_medical_insurance and employee_pension_insurance (城镇职工 schemes):
        #   columns of the national system's member export that the ledger now keeps.
        # import_baseline: per household and member, the fields the last import set or confirmed (canonical
        #   JSON). A field whose ledger value differs from it was changed here since (a monitor's
        #   correction): a re-import keeps it and records a conflict instead of overwriting it. Local only.
        """
        CREATE INDEX members_id_key ON members(upper(id_number));
        ALTER TABLE members ADD COLUMN id_type TEXT;
        ALTER TABLE members ADD COLUMN employee_medical_insurance INTEGER;
        ALTER TABLE members ADD COLUMN employee_pension_insurance INTEGER;
        CREATE TABLE import_baseline (entity TEXT NOT NULL, entity_id TEXT NOT NULL, data TEXT NOT NULL,
                                      PRIMARY KEY (entity, entity_id)) WITHOUT ROWID
        """,
    ),
    (
        6,
        "trust: signed chain heads, relayed keys, revocation by sequence; causal conflicts; releasable quarantine",
        # chain_heads: each origin's signed heads (security/heads.py: its mountain range of change hashes, signed
        #   at seq with its legacy horizon `start`). chain_nodes: hashes of aligned blocks of an origin's changes
        #   this ledger covers but does not hold (from the proofs it received) or computed once (a cache), so
        #   it can prove a relayed span onward. meta.chain: this ledger's own mountain range {start, seq,
        #   peaks}; `start` is the legacy horizon: its changes up to it were sent before heads existed (a new
        #   ledger starts at 0).
        # trusted_keys.via: NULL for a key enrolled here, else the replica whose signed statement vouches for it;
        #   revoked_upto: the last legitimate seq of a revoked key (revocation is by sequence, not by time);
        #   stated: for a key enrolled here, the statement this ledger last published about it; for a relayed
        #   key, the issuer's seq of the statement in force. Existing revocations are cut off at what is held.
        # admissions: bundles staff admitted past a revocation (grid trust admit).
        # claims: a put's base naming a version of the field this ledger has not got (yet); it settles that
        #   version when it comes. Conflicts are now lost leaves of each field's version graph (ledger/apply.py);
        #   put_bases (the old clock comparison) goes.
        # quarantine.sender / status: who sent a quarantined change, and whether it was released.
        """
        CREATE TABLE chain_heads (origin TEXT NOT NULL, seq INTEGER NOT NULL, start INTEGER NOT NULL,
                                  acc TEXT NOT NULL, sig TEXT NOT NULL, PRIMARY KEY (origin, seq)) WITHOUT ROWID;
        CREATE TABLE chain_nodes (origin TEXT NOT NULL, level INTEGER NOT NULL, first INTEGER NOT NULL,
                                  hash TEXT NOT NULL, PRIMARY KEY (origin, first, level)) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta (key, value) SELECT 'chain', json_object('start', n, 'seq', n, 'peaks', json_array())
            FROM (SELECT coalesce((SELECT max(origin_seq) FROM changes WHERE origin =
                  (SELECT json_extract(value, '$') FROM meta WHERE key = 'replica_id')), 0) AS n);
        ALTER TABLE trusted_keys ADD COLUMN via TEXT;
        ALTER TABLE trusted_keys ADD COLUMN revoked_upto INTEGER;
        ALTER TABLE trusted_keys ADD COLUMN stated TEXT;
        UPDATE trusted_keys SET revoked_upto = (SELECT coalesce(max(hi), 0) FROM seq_ranges
            WHERE origin = trusted_keys.replica AND kind = 'have') WHERE revoked_at IS NOT NULL;
        CREATE TABLE admissions (file_sha256 TEXT NOT NULL, origin TEXT NOT NULL, upto INTEGER NOT NULL,
                                 reason TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (file_sha256, origin));
        CREATE TABLE claims (entity TEXT NOT NULL, entity_id TEXT NOT NULL, field TEXT NOT NULL, base TEXT NOT NULL,
                             claimant TEXT NOT NULL, PRIMARY KEY (entity, entity_id, field, base, claimant)) WITHOUT ROWID;
        DROP TABLE put_bases;
        UPDATE conflicts SET status = 'settled' WHERE status = 'superseded';
        ALTER TABLE quarantine ADD COLUMN sender TEXT;
        ALTER TABLE quarantine ADD COLUMN status TEXT NOT NULL DEFAULT 'held'
        """,
    ),
    (
        8,
        "findings: the stored assessment, forgotten per household when what it is judged on changes",
        # assessed: each active household's grade; findings: its findings in order; findings_basis: the day
        #   and the basis (config and grid's version) they were judged under (grid_cli/findings.py).
        # The triggers forget a household's assessment when its row, a member (joining or leaving it) or an
        #   event of it is written, by any path (an edit, a visit, an import, a merge's fast or slow path), in
        #   the writer's own transaction; the next reader re-assesses exactly those. Derived data: never in
        #   the change log, never in a bundle.
        """
        CREATE TABLE assessed (household_id TEXT PRIMARY KEY, grade TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE findings (household_id TEXT NOT NULL, n INTEGER NOT NULL, rule TEXT NOT NULL,
                               severity TEXT NOT NULL, zh TEXT NOT NULL, en TEXT NOT NULL, facts TEXT NOT NULL,
                               PRIMARY KEY (household_id, n)) WITHOUT ROWID;
        CREATE TABLE findings_basis (on_day TEXT NOT NULL, basis TEXT NOT NULL);
        CREATE TRIGGER assessed_household AFTER UPDATE ON households
            BEGIN DELETE FROM assessed WHERE household_id = NEW.id; END;
        CREATE TRIGGER assessed_member_added AFTER INSERT ON members
            BEGIN DELETE FROM assessed WHERE household_id = NEW.household_id; END;
        CREATE TRIGGER assessed_member AFTER UPDATE ON members BEGIN
            DELETE FROM assessed WHERE household_id = OLD.household_id;
            DELETE FROM assessed WHERE household_id = NEW.household_id; END;
        CREATE TRIGGER assessed_event AFTER INSERT ON event_index
            BEGIN DELETE FROM assessed WHERE household_id = NEW.household_id; END
        """,
    ),
    (
        9,
        "department lists: the lists kept, their rows staged with their own columns",
        # dept_lists: each list imported here (which department, which month, the sha256 of its parsed
        #   rows: the same list again changes nothing). Local: what travels is the rows matched to a
        #   household, as `dept` events (grid_cli/dept/), which the sync carries and scope-checks.
        # dept_<kind>: one staging table per department, its fixed columns here; the department's own
        #   columns (as its file names them) are added by sqlite-utils (`insert_all(..., alter=True)`) as
        #   lists bring them. _sheet, _line: where the row stood in its file; _facts: the row as parsed.
        #   A row with no household is a clue (线索), kept where it was imported.
        """
        CREATE TABLE dept_lists (id TEXT PRIMARY KEY, kind TEXT NOT NULL, month TEXT NOT NULL, file TEXT,
                                 sha256 TEXT NOT NULL, rows INTEGER NOT NULL, matched INTEGER NOT NULL,
                                 clues INTEGER NOT NULL, imported_at TEXT NOT NULL, superseded_by TEXT);
        CREATE INDEX dept_lists_kind_month ON dept_lists(kind, month);
        """ + "".join(
            f"""
        CREATE TABLE dept_{kind} (list_id TEXT NOT NULL, row INTEGER NOT NULL, id_number TEXT, hh_no TEXT, name TEXT,
                                  household_id TEXT, member_id TEXT, event_id TEXT, _sheet TEXT, _line INTEGER,
                                  _facts TEXT, PRIMARY KEY (list_id, row));
        CREATE INDEX dept_{kind}_household ON dept_{kind}(household_id);"""
            for kind in ("dibao", "medical", "school", "housing", "disability", "employment")),
    ),
    (
        10,
        "visit drafts: the answers of a guided visit not yet saved",
        # One row per household: the answers typed so far in `grid visit` (JSON, question -> answer), written
        # after every answer so an interrupted visit (Ctrl-C, Ctrl-D, a closed terminal, a flat battery) can
        # be resumed with `grid visit HH --resume`. Local scratch: never in the change log, so never in a
        # bundle; it holds personal data, so it lives in the ledger file (owner-only) and nowhere else. The
        # row goes in the same transaction that saves the visit.
        """
        CREATE TABLE visit_drafts (household_id TEXT PRIMARY KEY, answers TEXT NOT NULL, saved_at TEXT NOT NULL)
        """,
    ),
    (
        12,
        "department lists: a school roll said to be complete for its area",
        # complete: NULL for a list that holds only the rows it holds; for a complete roll (`grid dept import
        #   教育 FILE --complete`), the villages it covers as a JSON array ([]: this ledger's whole area).
        #   Local like the list: what travels is the finding about each child not on it, a `dept` event.
        """
        ALTER TABLE dept_lists ADD COLUMN complete TEXT
        """,
    ),
]

LATEST = MIGRATIONS[-1][0]


def statements(sql: str) -> list[str]:
    """A migration's statements (a trigger's body holds semicolons of its own)."""
    out, held = [], ""
    for piece in sql.split(";"):
        held += piece + ";"
        if sqlite3.complete_statement(held):
            if held.strip(" \n;"):
                out.append(held)
            held = ""
    if held.strip(" \n;"):
        out.append(held)
    return out


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
            for statement in statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO migrations VALUES (?, ?, datetime('now'))", (number, name))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite has already rolled back after a full disk or an I/O error
                conn.execute("ROLLBACK")
            raise
    return max(done | {n for n, _, _ in MIGRATIONS})
