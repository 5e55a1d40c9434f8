-- Per-domain rows refer to their domain by id. Never edit: add 0011_….
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
-- table).
INSERT INTO domain_name (name)
SELECT domain FROM domain_breach UNION SELECT domain FROM org_branch
EXCEPT SELECT name FROM domain_name ORDER BY 1;

CREATE TABLE domain_breach_next (
    breach_id   BIGINT NOT NULL,
    domain_id   BIGINT NOT NULL REFERENCES domain_name (id),
    accounts    BIGINT NOT NULL,
    occurrences BIGINT NOT NULL,
    documents   BIGINT NOT NULL,
    messages    BIGINT NOT NULL,
    kinds       BYTEA,
    doc_types   BYTEA,
    PRIMARY KEY (breach_id, domain_id)
);
INSERT INTO domain_breach_next
SELECT d.breach_id, n.id, d.accounts, d.occurrences, d.documents, d.messages, d.kinds, d.doc_types
FROM domain_breach d JOIN domain_name n ON n.name = d.domain ORDER BY d.breach_id, n.id;
DROP TABLE domain_breach;
ALTER TABLE domain_breach_next RENAME TO domain_breach;
ALTER TABLE domain_breach RENAME CONSTRAINT domain_breach_next_pkey TO domain_breach_pkey;
ALTER TABLE domain_breach RENAME CONSTRAINT domain_breach_next_domain_id_fkey TO domain_breach_domain_id_fkey;
CREATE INDEX domain_breach_domain ON domain_breach (domain_id);

CREATE TABLE org_branch_next (
    breach_id BIGINT NOT NULL,
    org_key   TEXT NOT NULL,
    domain_id BIGINT NOT NULL,
    PRIMARY KEY (breach_id, org_key, domain_id)
);
INSERT INTO org_branch_next
SELECT o.breach_id, o.org_key, n.id FROM org_branch o JOIN domain_name n ON n.name = o.domain
ORDER BY o.breach_id, o.org_key, n.id;
DROP TABLE org_branch;
ALTER TABLE org_branch_next RENAME TO org_branch;
ALTER TABLE org_branch RENAME CONSTRAINT org_branch_next_pkey TO org_branch_pkey;
CREATE INDEX org_branch_trgm ON org_branch USING gin (org_key gin_trgm_ops);
