-- SQLite: accounts are found by the first 4 bytes of their SHA-1. Never edit: add 0012_….
--
-- The unique index of `account.sha1` (0009) held a second copy of every 20-byte hash:
-- ~28 bytes an account, a quarter of what an account costs in a sealed index. It is
-- replaced by an index of the hash's first 4 bytes (~13 bytes an entry): a lookup
-- seeks the prefix and compares the whole hash in the row it finds; SHA-1 is uniform,
-- so a prefix is shared by another account about once in 4 billion accounts (a range
-- query, a prefix of 3 bytes, is one interval of it as well). Statements say
-- `substr(a.sha1, 1, 4) = substr(x, 1, 4) AND a.sha1 = x` (crates/index/src/account.rs,
-- `sha1_is`): SQLite uses an index on an expression only for that expression;
-- PostgreSQL keeps its unique index and seeks it by the second term.
--
-- An account is unique without a constraint here: new accounts are written only where
-- none with the hash exists (`insert_accounts`), inside a write transaction, and SQLite
-- lets one writer at a time in; a transaction that read an older snapshot fails to
-- write (SQLITE_BUSY_SNAPSHOT) instead of writing beside a concurrent one.
--
-- On the sealed index of the 1 GB generated corpus (9,184 accounts): 1,974,272 →
-- 1,826,816 bytes, rebuilt by hand in `sqlite3` before this was written.
CREATE TABLE account_next (
    id        INTEGER PRIMARY KEY,
    sha1      BLOB NOT NULL,
    stem      TEXT NOT NULL,
    domain_id INTEGER NOT NULL REFERENCES domain_name (id)
);
INSERT INTO account_next (id, sha1, stem, domain_id)
SELECT id, sha1, stem, domain_id FROM account ORDER BY id;
DROP TABLE account;
ALTER TABLE account_next RENAME TO account;
CREATE INDEX account_domain ON account (domain_id);
CREATE INDEX account_sha1 ON account (substr(sha1, 1, 4));
