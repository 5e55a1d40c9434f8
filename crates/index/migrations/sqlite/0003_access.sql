-- Access to the search service: API keys, verified domains, verification challenges and
-- the audit log of every access to a verified domain's data. Never edit: add 0004_….

-- Keys are stored as SHA-256 of the key; the key itself is shown once, at creation.
CREATE TABLE api_key (
    id       INTEGER PRIMARY KEY,
    label    TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix   TEXT NOT NULL,
    rpm      INTEGER NOT NULL,
    created  TEXT NOT NULL,
    revoked  INTEGER NOT NULL DEFAULT 0
);

-- Domains a key has proved it controls.
CREATE TABLE verified_domain (
    key_id      INTEGER NOT NULL REFERENCES api_key(id) ON DELETE CASCADE,
    domain      TEXT NOT NULL,
    method      TEXT NOT NULL,
    verified_at TEXT NOT NULL,
    PRIMARY KEY (key_id, domain)
);
CREATE INDEX verified_domain_domain ON verified_domain (domain);

-- Open verification challenges: the token or code as SHA-256, single use, expiring.
CREATE TABLE verification (
    id         INTEGER PRIMARY KEY,
    key_id     INTEGER NOT NULL REFERENCES api_key(id) ON DELETE CASCADE,
    domain     TEXT NOT NULL,
    method     TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX verification_key_domain ON verification (key_id, domain);

-- Who read which verified domain's data, when, through which route.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    key_id    INTEGER NOT NULL,
    key_label TEXT NOT NULL,
    domain    TEXT NOT NULL,
    action    TEXT NOT NULL
);
CREATE INDEX audit_log_domain ON audit_log (domain);
