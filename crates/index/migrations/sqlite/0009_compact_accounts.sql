-- Compact accounts and per-domain counts. Never edit: add 0010_….
--
-- An account was keyed by its address, which every per-breach row and three indexes
-- repeated, and its SHA-1 was 40 hex characters: ~220 bytes an account before its
-- breaches. Now an account has an integer id, its SHA-1 as 20 bytes (the key of every
-- lookup: an address is hashed, a range is a prefix of the hash), the id of its
-- registrable domain (`domain_name`; the domain's text was ~40 of ~150 bytes an account
-- with its index entry) and the address once, with no index of its own, without that
-- domain: `stem` is the address up to it, separator included (`jane@` for
-- jane@contoso.de, `jane@mail.` for jane@mail.contoso.de; an address that does not end in
-- its domain is kept whole, and no address ends in `@` or `.`:
-- crates/index/src/account.rs). `account_breach` refers to the id, its document types a
-- bit mask (bit i = position i of leakdex_core::DOC_LABELS) instead of comma-separated
-- labels. Accounts converted here get ids in (domain, address) order: a domain's
-- accounts and their breach rows are adjacent (new accounts get the next ids as loads
-- find them).
CREATE TABLE domain_name (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
INSERT INTO domain_name (name) SELECT DISTINCT domain FROM account ORDER BY domain;

CREATE TABLE account_next (
    id     INTEGER PRIMARY KEY,
    sha1   BLOB NOT NULL UNIQUE,
    stem   TEXT NOT NULL,
    -- A load's new accounts and the collection of unused domain names (`breach
    -- delete`) cannot cross: the key makes one of them wait or fail, never leave an
    -- account without its domain.
    domain_id INTEGER NOT NULL REFERENCES domain_name (id)
);
INSERT INTO account_next (sha1, stem, domain_id)
SELECT unhex(o.sha1),
       CASE WHEN o.domain <> ''
             AND substr(o.email, length(o.email) - length(o.domain)) IN ('@' || o.domain, '.' || o.domain)
            THEN substr(o.email, 1, length(o.email) - length(o.domain)) ELSE o.email END,
       d.id
FROM account o JOIN domain_name d ON d.name = o.domain ORDER BY o.domain, o.email;

CREATE TABLE account_breach_next (
    account_id  INTEGER NOT NULL,
    breach_id   INTEGER NOT NULL,
    occurrences INTEGER NOT NULL,
    kinds       BIGINT NOT NULL,
    doc_types   BIGINT NOT NULL,
    PRIMARY KEY (account_id, breach_id)
) WITHOUT ROWID;
INSERT INTO account_breach_next (account_id, breach_id, occurrences, kinds, doc_types)
SELECT n.id, ab.breach_id, ab.occurrences, ab.kinds,
      CASE WHEN (',' || ab.doc_types || ',') LIKE '%,email,%' THEN 1 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,invoice,%' THEN 2 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,purchase_order,%' THEN 4 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,quote,%' THEN 8 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,statement_of_work,%' THEN 16 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,proof_of_execution,%' THEN 32 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,contract,%' THEN 64 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,price_list,%' THEN 128 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,customer_stock,%' THEN 256 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,customer_list,%' THEN 512 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,database_backup,%' THEN 1024 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,project_plan,%' THEN 2048 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,internal_assessment,%' THEN 4096 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,other,%' THEN 8192 ELSE 0 END
    + CASE WHEN (',' || ab.doc_types || ',') LIKE '%,signed_contract,%' THEN 16384 ELSE 0 END
FROM account_breach ab
JOIN account o ON o.email = ab.email
JOIN account_next n ON n.sha1 = unhex(o.sha1)
ORDER BY n.id, ab.breach_id;

DROP TABLE account_breach;
DROP TABLE account;
ALTER TABLE account_next RENAME TO account;
ALTER TABLE account_breach_next RENAME TO account_breach;
CREATE INDEX account_domain ON account (domain_id);
CREATE INDEX account_breach_breach ON account_breach (breach_id);

-- Per domain and breach, the occurrences of each kind and the documents by type were one
-- row each in `domain_kind` and `domain_doc_type` (~900 bytes a domain with their
-- indexes); now they are two packed columns of `domain_breach`
-- (crates/index/src/packed.rs): (kind position, occurrences) and (label position, unique
-- documents, raw copies) as varints. The rows of those two tables are packed into the
-- columns, and the tables dropped, when the index is opened (crates/index/src/db.rs,
-- `upgrade`).
--
-- Both tables also lead with the breach now: a breach's rows are one range (materialize
-- replaces them, `breach show` lists them), and the separate breach index, which
-- repeated every key, is gone. A lookup by domain or organisation seeks once per breach
-- (`breach_id IN (SELECT id FROM breach)`): a catalogue holds hundreds of breaches, an
-- index millions of domains.
CREATE TABLE domain_breach_next (
    breach_id   INTEGER NOT NULL,
    domain      TEXT NOT NULL,
    accounts    INTEGER NOT NULL,
    occurrences INTEGER NOT NULL,
    documents   INTEGER NOT NULL,
    messages    INTEGER NOT NULL,
    kinds       BLOB,
    doc_types   BLOB,
    PRIMARY KEY (breach_id, domain)
) WITHOUT ROWID;
INSERT INTO domain_breach_next (breach_id, domain, accounts, occurrences, documents, messages)
SELECT breach_id, domain, accounts, occurrences, documents, messages FROM domain_breach
ORDER BY breach_id, domain;
DROP TABLE domain_breach;
ALTER TABLE domain_breach_next RENAME TO domain_breach;

CREATE TABLE org_branch_next (
    breach_id INTEGER NOT NULL,
    org_key   TEXT NOT NULL,
    domain    TEXT NOT NULL,
    PRIMARY KEY (breach_id, org_key, domain)
) WITHOUT ROWID;
INSERT INTO org_branch_next (breach_id, org_key, domain)
SELECT breach_id, org_key, domain FROM org_branch ORDER BY breach_id, org_key, domain;
DROP TABLE org_branch;
ALTER TABLE org_branch_next RENAME TO org_branch;

-- Which breaches reach a blob was only asked when collecting unreached blobs (`breach
-- delete`, `breach seal`), which now reads `reach` whole instead; its index by hash was a
-- tenth of an open breach's file.
DROP INDEX reach_hash;
