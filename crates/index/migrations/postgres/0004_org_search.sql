-- Organisation search by any part of the name without a table scan: a trigram GIN index
-- (pg_trgm, a trusted extension: a database owner may create it) that serves
-- `org_key LIKE '%…%'`. Never edit: add 0005_….
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX org_branch_trgm ON org_branch USING gin (org_key gin_trgm_ops);
