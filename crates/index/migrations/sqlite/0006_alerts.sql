-- Alerts: subscriptions of verified domains and the durable outbox of notifications.
-- Never edit: add 0007_….

-- A verified domain's subscription: a webhook and/or e-mail addresses. `secret` signs
-- webhook bodies (Standard Webhooks, `whsec_…`); it has to be kept in clear to sign.
-- Removing a subscription deactivates it (its delivery history stays).
CREATE TABLE subscription (
    id                INTEGER PRIMARY KEY,
    key_id            INTEGER NOT NULL REFERENCES api_key(id) ON DELETE CASCADE,
    domain            TEXT NOT NULL,
    webhook_url       TEXT,
    emails            TEXT NOT NULL DEFAULT '',
    include_addresses INTEGER NOT NULL DEFAULT 0,
    secret            TEXT NOT NULL,
    created           TEXT NOT NULL,
    active            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX subscription_domain ON subscription (domain);

-- The outbox: one row per (subscription, breach, channel), written in the transaction
-- that first shows the breach to the domain. States: held (waiting for an operator),
-- pending, sending (leased until lease_until_ms), delivered, dead, cancelled.
CREATE TABLE notification (
    id               INTEGER PRIMARY KEY,
    subscription_id  INTEGER NOT NULL REFERENCES subscription(id) ON DELETE CASCADE,
    breach_id        INTEGER NOT NULL,
    channel          TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_ms       INTEGER NOT NULL,
    first_attempt_ms INTEGER,
    next_attempt_ms  INTEGER NOT NULL,
    lease_until_ms   INTEGER,
    delivered_ms     INTEGER,
    last_error       TEXT,
    payload          TEXT,
    UNIQUE (subscription_id, breach_id, channel)
);
CREATE INDEX notification_due ON notification (state, next_attempt_ms);
CREATE INDEX notification_breach ON notification (breach_id);
