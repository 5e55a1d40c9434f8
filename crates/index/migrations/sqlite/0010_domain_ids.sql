-- Per-domain rows refer to their domain by id; the organisation index is smaller.
-- Never edit: add 0011_….
--
-- A domain's name was written four times: in `domain_name` and its unique index (0009),
-- and in every `domain_breach` and `org_branch` row. Both tables now hold the id of the
-- name (`domain_name`, which therefore also names the domains of per-domain rows, not
-- only of accounts); a lookup by domain name resolves the id once, then reads the
-- domain's rows through `domain_breach_domain`. That index also serves the foreign key
-- of `domain_breach`: collecting unused domain names (`breach delete`) checks each
-- deleted name against it instead of reading the whole table, and a load writing a
-- domain's row and a delete collecting its name cannot cross (one waits or fails).
-- `org_branch` takes its ids from the same breach's `domain_breach` rows in the same
-- transaction, so it has no key of its own (an index for one would be as big as the
-- table). On the 1 GB generated corpus (4,149 domains) this is ~25 bytes a domain, the
-- index included.
--
-- `org_search` keeps neither positions nor token counts (`detail=none`,
-- `columnsize=0`): it is only asked which keys contain a text (`org_key LIKE '%…%'`,
-- which FTS5 answers from the trigram index and checks against the key), never for
-- ranks or phrase positions. ~29 bytes an organisation less.
INSERT INTO domain_name (name)
SELECT domain FROM domain_breach UNION SELECT domain FROM org_branch
EXCEPT SELECT name FROM domain_name ORDER BY 1;

CREATE TABLE domain_breach_next (
    breach_id   INTEGER NOT NULL,
    domain_id   INTEGER NOT NULL REFERENCES domain_name (id),
    accounts    INTEGER NOT NULL,
    occurrences INTEGER NOT NULL,
    documents   INTEGER NOT NULL,
    messages    INTEGER NOT NULL,
    kinds       BLOB,
    doc_types   BLOB,
    PRIMARY KEY (breach_id, domain_id)
) WITHOUT ROWID;
INSERT INTO domain_breach_next
SELECT d.breach_id, n.id, d.accounts, d.occurrences, d.documents, d.messages, d.kinds, d.doc_types
FROM domain_breach d JOIN domain_name n ON n.name = d.domain ORDER BY d.breach_id, n.id;
DROP TABLE domain_breach;
ALTER TABLE domain_breach_next RENAME TO domain_breach;
CREATE INDEX domain_breach_domain ON domain_breach (domain_id);

CREATE TABLE org_branch_next (
    breach_id INTEGER NOT NULL,
    org_key   TEXT NOT NULL,
    domain_id INTEGER NOT NULL,
    PRIMARY KEY (breach_id, org_key, domain_id)
) WITHOUT ROWID;
INSERT INTO org_branch_next
SELECT o.breach_id, o.org_key, n.id FROM org_branch o JOIN domain_name n ON n.name = o.domain
ORDER BY o.breach_id, o.org_key, n.id;
DROP TABLE org_branch;
ALTER TABLE org_branch_next RENAME TO org_branch;

DROP TABLE org_search;
CREATE VIRTUAL TABLE org_search USING fts5(org_key, tokenize = 'trigram', detail = none, columnsize = 0);
INSERT INTO org_search (org_key) SELECT DISTINCT org_key FROM org_branch ORDER BY 1;
