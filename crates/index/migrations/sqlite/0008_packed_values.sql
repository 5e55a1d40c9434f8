-- Values by id, packed per blob. Never edit: add 0009_….
--
-- `node_value` held one row per (blob, value): a 32-byte blob hash and the value's key
-- (an address or a 32-hex keyed hash) in each of ~22 rows per blob — 86% of the file on
-- the 1 GB benchmark corpus. Each distinct value is now stored once in `value`, and a
-- blob's values are one `node.vals` BLOB: (value id delta, count) pairs as varints, ids
-- ascending (crates/index/src/packed.rs). Rows of `node_value` written by earlier versions
-- are packed when the index is opened (crates/index/src/db.rs, `upgrade`).
-- AUTOINCREMENT: an id is never reused after `breach delete` collects its value, so an
-- id an ingest writer still holds can never come to mean another value.
CREATE TABLE value (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    UNIQUE (kind, key)
);
ALTER TABLE node ADD COLUMN vals BLOB;
DROP INDEX node_value_email;

-- What `materialize` derives per address and breach, so a verified owner's lookup does
-- not walk the blob graph: the kinds found in the documents naming the address (bit i =
-- position i of leakdex_core::KINDS) and their document types (labels, comma-separated).
ALTER TABLE account_breach ADD COLUMN kinds BIGINT NOT NULL DEFAULT 0;
ALTER TABLE account_breach ADD COLUMN doc_types TEXT NOT NULL DEFAULT '';

-- Per domain and breach, the documents naming the domain by type: unique (by content)
-- and raw copies.
CREATE TABLE domain_doc_type (
    domain    TEXT NOT NULL,
    breach_id INTEGER NOT NULL,
    doc_type  TEXT NOT NULL,
    uniq      INTEGER NOT NULL,
    raw       INTEGER NOT NULL,
    PRIMARY KEY (domain, breach_id, doc_type)
) WITHOUT ROWID;
CREATE INDEX domain_doc_type_breach ON domain_doc_type (breach_id);

-- Sealing: a breach whose blob graph was dropped (`leakdex breach seal`); its derived
-- counts are final and further loads into it are refused.
ALTER TABLE breach ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
