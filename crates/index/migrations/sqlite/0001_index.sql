-- The exposure index, version 1 (SQLite). Never edit once committed: add 0002_….
-- Metadata only: no body text, file content, file name or path is ever stored here.

-- Per-index settings, e.g. the secret key of the keyed hashes (phones, names, masked kinds).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- The breach catalogue: every field of the HIBP v3 Breach model, plus our own.
CREATE TABLE breach (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    title                TEXT NOT NULL,
    domain               TEXT NOT NULL DEFAULT '',
    breach_date          TEXT NOT NULL,
    added_date           TEXT NOT NULL,
    modified_date        TEXT NOT NULL,
    pwn_count            INTEGER NOT NULL DEFAULT 0,
    description          TEXT NOT NULL DEFAULT '',
    logo_path            TEXT NOT NULL DEFAULT '',
    data_classes         TEXT NOT NULL DEFAULT '[]',
    is_verified          INTEGER NOT NULL DEFAULT 0,
    is_fabricated        INTEGER NOT NULL DEFAULT 0,
    is_sensitive         INTEGER NOT NULL DEFAULT 0,
    is_retired           INTEGER NOT NULL DEFAULT 0,
    is_spam_list         INTEGER NOT NULL DEFAULT 0,
    is_malware           INTEGER NOT NULL DEFAULT 0,
    is_subscription_free INTEGER NOT NULL DEFAULT 0,
    is_stealer_log       INTEGER NOT NULL DEFAULT 0,
    source_kind          TEXT NOT NULL DEFAULT 'files',
    -- 1 when the per-breach tables below reflect every occurrence.
    materialized         INTEGER NOT NULL DEFAULT 0
);

-- One row per `leakdex ingest` run.
CREATE TABLE ingest_run (
    id            INTEGER PRIMARY KEY,
    breach_id     INTEGER NOT NULL REFERENCES breach(id) ON DELETE CASCADE,
    started       TEXT NOT NULL,
    finished      TEXT,
    blobs_new     INTEGER NOT NULL DEFAULT 0,
    blobs_skipped INTEGER NOT NULL DEFAULT 0
);

-- The content-addressed blob graph (shared by all breaches).
CREATE TABLE node (
    hash        BLOB PRIMARY KEY,
    doc_type    TEXT NOT NULL,
    is_document INTEGER NOT NULL,
    message_key BLOB,
    unreadable  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE node_value (
    hash  BLOB NOT NULL,
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (hash, kind, key)
) WITHOUT ROWID;
CREATE INDEX node_value_key ON node_value (kind, key);

CREATE TABLE edge (
    parent BLOB NOT NULL,
    child  BLOB NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (parent, child)
) WITHOUT ROWID;

-- Top-level blobs of a breach; the row is the ingest checkpoint of that blob.
CREATE TABLE occurrence (
    breach_id  INTEGER NOT NULL REFERENCES breach(id) ON DELETE CASCADE,
    hash       BLOB NOT NULL,
    copy_index INTEGER NOT NULL,
    PRIMARY KEY (breach_id, hash, copy_index)
) WITHOUT ROWID;

-- Derived per breach (delete + recompute): how many times each blob is reached.
CREATE TABLE reach (
    breach_id INTEGER NOT NULL,
    hash      BLOB NOT NULL,
    mult      INTEGER NOT NULL,
    PRIMARY KEY (breach_id, hash)
) WITHOUT ROWID;
CREATE INDEX reach_hash ON reach (hash);

CREATE TABLE account (
    email  TEXT PRIMARY KEY,
    sha1   TEXT NOT NULL,
    domain TEXT NOT NULL
);
CREATE INDEX account_sha1 ON account (sha1);
CREATE INDEX account_domain ON account (domain);

CREATE TABLE account_breach (
    email       TEXT NOT NULL,
    breach_id   INTEGER NOT NULL,
    occurrences INTEGER NOT NULL,
    PRIMARY KEY (email, breach_id)
) WITHOUT ROWID;
CREATE INDEX account_breach_breach ON account_breach (breach_id);

CREATE TABLE domain_breach (
    domain      TEXT NOT NULL,
    breach_id   INTEGER NOT NULL,
    accounts    INTEGER NOT NULL,
    occurrences INTEGER NOT NULL,
    documents   INTEGER NOT NULL,
    messages    INTEGER NOT NULL,
    PRIMARY KEY (domain, breach_id)
) WITHOUT ROWID;
CREATE INDEX domain_breach_breach ON domain_breach (breach_id);

-- Occurrences of each kind in the documents that name the domain.
CREATE TABLE domain_kind (
    domain      TEXT NOT NULL,
    breach_id   INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    occurrences INTEGER NOT NULL,
    PRIMARY KEY (domain, breach_id, kind)
) WITHOUT ROWID;
CREATE INDEX domain_kind_breach ON domain_kind (breach_id);

-- Raw and unique counts of a breach: `documents`, `messages`, `empty`, `unreadable`,
-- one row per kind (`emails`, …) and per document type (`type:csv`, …).
CREATE TABLE breach_count (
    breach_id INTEGER NOT NULL,
    what      TEXT NOT NULL,
    raw       INTEGER NOT NULL,
    uniq      INTEGER NOT NULL,
    PRIMARY KEY (breach_id, what)
) WITHOUT ROWID;
