//! Alerts: subscriptions of verified domains and the durable outbox of notifications.
//!
//! A notification is one row per (subscription, breach, channel), written by
//! [`enqueue`] in the same transaction that first shows a breach to a domain (the end of
//! an ingest, or a breach coming out of retirement). The unique key makes it at most one,
//! ever; the transaction makes it at least one. Delivery leases a row
//! ([`Index::claim_notifications`]), and only the holder of the current attempt may
//! settle it ([`Index::settle_notification`]): a worker killed mid-delivery leaves a
//! lease that expires, and the next worker sends the same idempotency key again.

use crate::access::{unix_now_ms, verify_domain_arg};
use crate::breach::u;
use crate::{Error, Index};
use base64::Engine as _;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// Most active subscriptions one key may hold for one domain.
pub const MAX_SUBSCRIPTIONS: i64 = 10;

/// A verified domain's subscription to alerts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Id.
    pub id: i64,
    /// The key that owns it (and verified the domain).
    pub key_id: i64,
    /// The registrable domain.
    pub domain: String,
    /// Webhook to POST to, if any.
    pub webhook_url: Option<String>,
    /// Addresses to e-mail, if any.
    pub emails: Vec<String>,
    /// Whether alerts list the domain's addresses found in the breach.
    pub include_addresses: bool,
    /// When it was created (RFC 3339).
    pub created: String,
    /// False once removed.
    pub active: bool,
}

/// What a new subscription asks for.
#[derive(Debug, Clone, Default)]
pub struct NewSubscription {
    /// Owner key.
    pub key_id: i64,
    /// A domain the key has verified.
    pub domain: String,
    /// `https://…` (or `http://…`) endpoint.
    pub webhook_url: Option<String>,
    /// Mailboxes to alert.
    pub emails: Vec<String>,
    /// List the addresses found in each alert.
    pub include_addresses: bool,
}

/// Where an alert goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// An HTTP POST, signed.
    Webhook,
    /// One e-mail to the subscription's addresses.
    Email,
}

impl Channel {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }

    fn parse(s: &str) -> Option<Channel> {
        match s {
            "webhook" => Some(Channel::Webhook),
            "email" => Some(Channel::Email),
            _ => None,
        }
    }
}

/// Whether notifications written by a load go out at once or wait for
/// `leakdex notify release`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alerts {
    /// Deliverable at once.
    #[default]
    Queue,
    /// Held for an operator's review.
    Hold,
}

/// A notification as listed by `leakdex notify list|failed`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// The subscription.
    pub subscription_id: i64,
    /// The domain alerted.
    pub domain: String,
    /// The breach's name.
    pub breach: String,
    /// `webhook` or `email`.
    pub channel: Channel,
    /// Sent as `webhook-id` / `Idempotency-Key` / in the Message-ID.
    pub idempotency_key: String,
    /// held, pending, sending, delivered, dead or cancelled.
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed (a status code or error kind, never a response body).
    pub last_error: Option<String>,
    /// Created, delivered (ms since the epoch).
    pub created_ms: i64,
    /// When it was delivered.
    pub delivered_ms: Option<i64>,
}

/// A leased notification, with what delivering it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Id.
    pub id: i64,
    /// This attempt's number: settle with it.
    pub attempt: i64,
    /// Channel.
    pub channel: Channel,
    /// Idempotency key.
    pub idempotency_key: String,
    /// The subscription.
    pub subscription: Subscription,
    /// Its signing secret (`whsec_…`).
    pub secret: String,
    /// The breach's name.
    pub breach: String,
    /// The body built at the first attempt (every retry sends the same bytes).
    pub payload: Option<String>,
    /// When the first attempt started (ms).
    pub first_attempt_ms: i64,
    /// Why it is no longer wanted (subscription removed, key revoked, domain no longer
    /// verified, breach retired or deleted): settle it as cancelled, send nothing.
    pub cancel: Option<&'static str>,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The receiver took it.
    Delivered,
    /// Try again at this time (ms), after this error.
    Retry(i64, String),
    /// Gave up: dead letter, after this error.
    Dead(String),
    /// No longer wanted (subscription removed, key revoked, domain no longer verified,
    /// breach retired or deleted).
    Cancelled(String),
}

/// A domain a breach would alert, for `leakdex notify preview`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    /// Organisation key (normalised name label) grouping the domain's branches.
    pub organization: String,
    /// The domain.
    pub domain: String,
    /// Unique addresses / raw occurrences / documents / messages naming it.
    pub accounts: u64,
    /// Raw occurrences.
    pub occurrences: u64,
    /// Documents.
    pub documents: u64,
    /// Messages.
    pub messages: u64,
    /// Subscription and channel and the notification's state (`none` if not written yet).
    pub deliveries: Vec<(i64, Channel, String)>,
}

const SUB_COLS: &str =
    "s.id, s.key_id, s.domain, s.webhook_url, s.emails, s.include_addresses, s.created, s.active";
/// The same columns unqualified (SQLite's RETURNING takes no table alias).
const SUB_RETURNING: &str =
    "id, key_id, domain, webhook_url, emails, include_addresses, created, active";

fn subscription_from(r: &AnyRow) -> Result<Subscription, Error> {
    let emails: String = r.try_get(4)?;
    Ok(Subscription {
        id: r.try_get(0)?,
        key_id: r.try_get(1)?,
        domain: r.try_get(2)?,
        webhook_url: r.try_get(3)?,
        emails: emails
            .split(',')
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect(),
        include_addresses: r.try_get::<i64, _>(5)? != 0,
        created: r.try_get(6)?,
        active: r.try_get::<i64, _>(7)? != 0,
    })
}

/// Checks a webhook URL: http(s), a host, no credentials, at most 2000 characters.
/// Whether its address may be private is the deliverer's decision (at send time).
pub fn check_webhook_url(url: &str) -> Result<(), Error> {
    let bad = |why: &str| Err(Error::Invalid(format!("webhook URL: {why}")));
    if url.len() > 2000 {
        return bad("at most 2000 characters");
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return bad("give an absolute http:// or https:// URL");
    };
    if !matches!(scheme, "http" | "https") {
        return bad("only http:// and https:// are delivered to");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return bad("no host");
    }
    if authority.contains('@') {
        return bad("credentials in the URL are not accepted (the body is signed instead)");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("white space or control characters");
    }
    Ok(())
}

/// Checks a mailbox address: one `@`, a dotted domain, no white space, ≤ 254 characters.
fn check_mailbox(e: &str) -> Result<(), Error> {
    let ok = e.len() <= 254
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
        && matches!(e.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !d.contains('@'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!("not a mailbox address: {e:?}")))
    }
}

/// A fresh signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 bytes.
fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Writes the notifications breach `breach_id` owes its subscribers, inside `tx`: one per
/// active subscription (of an unrevoked key that still verifies the domain) whose domain
/// the breach names, per channel, unless the breach is retired. Existing rows are kept
/// (never sent twice). Returns how many were written.
pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    key: &crate::keyed::Key,
    breach_id: i64,
    alerts: Alerts,
    only: Option<&std::collections::HashSet<String>>,
) -> Result<u64, Error> {
    let rows = sqlx::query(
        "SELECT s.id, s.webhook_url, s.emails, s.domain, b.name FROM subscription s \
         JOIN domain_name dn ON dn.name = s.domain \
         JOIN domain_breach d ON d.domain_id = dn.id AND d.breach_id = $1 \
         JOIN breach b ON b.id = d.breach_id \
         JOIN api_key k ON k.id = s.key_id \
         JOIN verified_domain v ON v.key_id = s.key_id AND v.domain = s.domain \
         WHERE s.active = 1 AND k.revoked = 0 AND b.is_retired = 0 ORDER BY s.id",
    )
    .bind(breach_id)
    .fetch_all(&mut **tx)
    .await?;
    let now = unix_now_ms();
    let state = match alerts {
        Alerts::Queue => "pending",
        Alerts::Hold => "held",
    };
    let mut written = 0;
    for r in rows {
        let sub: i64 = r.try_get(0)?;
        let webhook: Option<String> = r.try_get(1)?;
        let emails: String = r.try_get(2)?;
        let domain: String = r.try_get(3)?;
        let breach: String = r.try_get(4)?;
        if only.is_some_and(|o| !o.contains(&domain)) {
            // The breach named this domain before this change: nothing newly shown.
            continue;
        }
        let mut channels = Vec::new();
        if webhook.is_some() {
            channels.push(Channel::Webhook);
        }
        if !emails.is_empty() {
            channels.push(Channel::Email);
        }
        for ch in channels {
            // Stable per index, subscription, breach *name* and channel (SQLite reuses
            // the id of a deleted breach); reveals nothing.
            let idem = format!(
                "ntf_{}",
                key.hash("notification", &format!("{sub}:{breach}:{}", ch.as_str()))
            );
            let r = sqlx::query(
                "INSERT INTO notification (subscription_id, breach_id, channel, idempotency_key, \
                 state, created_ms, next_attempt_ms) VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(sub)
            .bind(breach_id)
            .bind(ch.as_str())
            .bind(idem)
            .bind(state)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            written += r.rows_affected();
        }
    }
    // Alerts cancelled because the breach was retired were never sent: now that it shows
    // again, they are owed again (the claim re-checks the subscription, key and domain).
    let revived = sqlx::query(
        "UPDATE notification SET state = $1, next_attempt_ms = $2, first_attempt_ms = NULL, \
         last_error = NULL WHERE breach_id = $3 AND state = 'cancelled' \
         AND last_error = 'breach retired' \
         AND EXISTS (SELECT 1 FROM breach b WHERE b.id = $3 AND b.is_retired = 0)",
    )
    .bind(state)
    .bind(now)
    .bind(breach_id)
    .execute(&mut **tx)
    .await?;
    Ok(written + revived.rows_affected())
}

impl Index {
    /// Creates a subscription for a domain the key has verified; returns it and its
    /// signing secret.
    pub async fn create_subscription(
        &self,
        new: &NewSubscription,
    ) -> Result<(Subscription, String), Error> {
        let domain = verify_domain_arg(&new.domain)?;
        if new.webhook_url.is_none() && new.emails.is_empty() {
            return Err(Error::Invalid(
                "give a webhook URL, e-mail addresses, or both".into(),
            ));
        }
        if let Some(url) = &new.webhook_url {
            check_webhook_url(url)?;
        }
        if new.emails.len() > 20 {
            return Err(Error::Invalid("at most 20 e-mail addresses".into()));
        }
        let mut emails: Vec<String> = new.emails.iter().map(|e| e.trim().to_string()).collect();
        for e in &emails {
            check_mailbox(e)?;
        }
        emails.sort();
        emails.dedup();
        if !self.is_verified(new.key_id, &domain).await? {
            return Err(Error::Forbidden(format!(
                "key {} has not verified {domain}",
                new.key_id
            )));
        }
        let active: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM subscription WHERE key_id = $1 AND domain = $2 AND active = 1",
        )
        .bind(new.key_id)
        .bind(&domain)
        .fetch_one(&self.pool)
        .await?;
        if active >= MAX_SUBSCRIPTIONS {
            return Err(Error::Invalid(format!(
                "at most {MAX_SUBSCRIPTIONS} active subscriptions per domain: remove one first"
            )));
        }
        let secret = new_secret();
        let row = sqlx::query(&format!(
            "INSERT INTO subscription (key_id, domain, webhook_url, emails, include_addresses, \
             secret, created) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {SUB_RETURNING}"
        ))
        .bind(new.key_id)
        .bind(&domain)
        .bind(new.webhook_url.clone())
        .bind(emails.join(","))
        .bind(i64::from(new.include_addresses))
        .bind(&secret)
        .bind(crate::now_rfc3339())
        .fetch_one(&self.pool)
        .await?;
        Ok((subscription_from(&row)?, secret))
    }

    /// Subscriptions, all or a key's, active ones first.
    pub async fn subscriptions(&self, key_id: Option<i64>) -> Result<Vec<Subscription>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {SUB_COLS} FROM subscription s WHERE ($1 < 0 OR s.key_id = $1) \
             ORDER BY s.active DESC, s.id"
        ))
        .bind(key_id.unwrap_or(-1))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(subscription_from).collect()
    }

    /// A subscription's signing secret (for its owner or the operator).
    pub async fn subscription_secret(&self, id: i64) -> Result<Option<String>, Error> {
        Ok(
            sqlx::query_scalar("SELECT secret FROM subscription WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Deactivates a subscription (of `key_id`, if given) and cancels what it has not
    /// been sent yet. False if there is no such active subscription.
    pub async fn remove_subscription(&self, id: i64, key_id: Option<i64>) -> Result<bool, Error> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE subscription SET active = 0 WHERE id = $1 AND active = 1 \
             AND ($2 < 0 OR key_id = $2)",
        )
        .bind(id)
        .bind(key_id.unwrap_or(-1))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE notification SET state = 'cancelled', last_error = 'subscription removed' \
             WHERE subscription_id = $1 AND state IN ('held', 'pending')",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Releases a breach's held notifications for delivery; returns how many.
    pub async fn release_notifications(&self, breach: &str) -> Result<u64, Error> {
        let id = self
            .breach_id(breach)
            .await?
            .ok_or_else(|| Error::NoBreach(breach.to_string()))?;
        let r = sqlx::query(
            "UPDATE notification SET state = 'pending', next_attempt_ms = $1 \
             WHERE breach_id = $2 AND state = 'held'",
        )
        .bind(unix_now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// Leases up to `limit` notifications that are due (pending and past their time, or
    /// sending with an expired lease) until `now + lease_ms`. Each claim is a
    /// compare-and-set on its row, so concurrent workers (several `serve` on one
    /// PostgreSQL) never hold the same attempt. Notifications no longer wanted come back
    /// with [`Claimed::cancel`] set.
    pub async fn claim_notifications(
        &self,
        lease_ms: i64,
        limit: i64,
        with_email: bool,
    ) -> Result<Vec<Claimed>, Error> {
        let now = unix_now_ms();
        // A worker without a mail relay leaves e-mail alerts to one that has one (they
        // are neither claimed nor charged an attempt).
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM notification WHERE ((state = 'pending' AND next_attempt_ms <= $1) \
             OR (state = 'sending' AND lease_until_ms <= $1)) AND ($3 = 1 OR channel = 'webhook') \
             ORDER BY next_attempt_ms, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .bind(i64::from(with_email))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let attempt: Option<i64> = sqlx::query_scalar(
                "UPDATE notification SET state = 'sending', attempts = attempts + 1, \
                 lease_until_ms = $2, first_attempt_ms = COALESCE(first_attempt_ms, $3) \
                 WHERE id = $1 AND ((state = 'pending' AND next_attempt_ms <= $3) \
                 OR (state = 'sending' AND lease_until_ms <= $3)) RETURNING attempts",
            )
            .bind(id)
            .bind(now + lease_ms)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            let Some(attempt) = attempt else { continue };
            let row = sqlx::query(&format!(
                "SELECT {SUB_COLS}, n.channel, n.idempotency_key, n.payload, n.first_attempt_ms, \
                 s.secret, b.name, b.is_retired, k.revoked, \
                 (SELECT COUNT(*) FROM verified_domain v WHERE v.key_id = s.key_id AND v.domain = s.domain) \
                 FROM notification n JOIN subscription s ON s.id = n.subscription_id \
                 JOIN api_key k ON k.id = s.key_id \
                 LEFT JOIN breach b ON b.id = n.breach_id WHERE n.id = $1"
            ))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
            let subscription = subscription_from(&row)?;
            let breach: Option<String> = row.try_get(13)?;
            let why = if !subscription.active {
                Some("subscription removed")
            } else if row.try_get::<i64, _>(15)? != 0 {
                Some("key revoked")
            } else if row.try_get::<i64, _>(16)? == 0 {
                Some("domain no longer verified")
            } else if breach.is_none() {
                Some("breach deleted")
            } else if row.try_get::<Option<i64>, _>(14)?.unwrap_or(0) != 0 {
                Some("breach retired")
            } else {
                None
            };
            let channel: String = row.try_get(8)?;
            let Some(channel) = Channel::parse(&channel) else {
                self.settle_notification(id, attempt, &Outcome::Dead("unknown channel".into()))
                    .await?;
                continue;
            };
            out.push(Claimed {
                id,
                attempt,
                channel,
                idempotency_key: row.try_get(9)?,
                payload: row.try_get(10)?,
                first_attempt_ms: row.try_get::<Option<i64>, _>(11)?.unwrap_or(now),
                secret: row.try_get(12)?,
                breach: breach.unwrap_or_default(),
                subscription,
                cancel: why,
            });
        }
        Ok(out)
    }

    /// Re-checks that attempt `attempt` still holds notification `id` and extends its
    /// lease to now + `lease_ms` — called right before sending, so time spent claiming
    /// and building the body never eats into the send's lease. False: another worker
    /// took it; do not send.
    pub async fn renew_lease(&self, id: i64, attempt: i64, lease_ms: i64) -> Result<bool, Error> {
        let r = sqlx::query(
            "UPDATE notification SET lease_until_ms = $1 \
             WHERE id = $2 AND attempts = $3 AND state = 'sending'",
        )
        .bind(unix_now_ms().saturating_add(lease_ms))
        .bind(id)
        .bind(attempt)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Keeps the body of a notification's first attempt (retries send the same bytes).
    /// Returns the stored body (an earlier attempt's, if one got there first).
    pub async fn store_payload(&self, id: i64, payload: &str) -> Result<String, Error> {
        sqlx::query("UPDATE notification SET payload = $1 WHERE id = $2 AND payload IS NULL")
            .bind(payload)
            .bind(id)
            .execute(&self.pool)
            .await?;
        let stored: Option<String> =
            sqlx::query_scalar("SELECT payload FROM notification WHERE id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
        Ok(stored.unwrap_or_else(|| payload.to_string()))
    }

    /// Records how attempt `attempt` of notification `id` ended. False if that attempt no
    /// longer holds the row (its lease expired and another worker took it): nothing is
    /// changed then.
    pub async fn settle_notification(
        &self,
        id: i64,
        attempt: i64,
        outcome: &Outcome,
    ) -> Result<bool, Error> {
        let now = unix_now_ms();
        let (state, next, error, delivered) = match outcome {
            Outcome::Delivered => ("delivered", now, None, Some(now)),
            Outcome::Retry(at, e) => ("pending", *at, Some(e.as_str()), None),
            Outcome::Dead(e) => ("dead", now, Some(e.as_str()), None),
            Outcome::Cancelled(e) => ("cancelled", now, Some(e.as_str()), None),
        };
        let r = sqlx::query(
            "UPDATE notification SET state = $1, next_attempt_ms = $2, last_error = $3, \
             delivered_ms = $4, lease_until_ms = NULL \
             WHERE id = $5 AND attempts = $6 AND state = 'sending'",
        )
        .bind(state)
        .bind(next)
        .bind(error.map(|e| e.chars().take(300).collect::<String>()))
        .bind(delivered)
        .bind(id)
        .bind(attempt)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Notifications, newest first: all, or those in `state`, or of `breach`.
    pub async fn notifications(
        &self,
        state: Option<&str>,
        breach: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Notification>, Error> {
        let rows = sqlx::query(
            "SELECT n.id, n.subscription_id, s.domain, COALESCE(b.name, ''), n.channel, \
             n.idempotency_key, n.state, n.attempts, n.last_error, n.created_ms, n.delivered_ms \
             FROM notification n JOIN subscription s ON s.id = n.subscription_id \
             LEFT JOIN breach b ON b.id = n.breach_id \
             WHERE ($1 = '' OR n.state = $1) AND ($2 = '' OR b.name = $2) \
             ORDER BY n.id DESC LIMIT $3",
        )
        .bind(state.unwrap_or(""))
        .bind(breach.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let ch: String = r.try_get(4)?;
                Ok(Notification {
                    id: r.try_get(0)?,
                    subscription_id: r.try_get(1)?,
                    domain: r.try_get(2)?,
                    breach: r.try_get(3)?,
                    channel: Channel::parse(&ch).unwrap_or(Channel::Webhook),
                    idempotency_key: r.try_get(5)?,
                    state: r.try_get(6)?,
                    attempts: r.try_get(7)?,
                    last_error: r.try_get(8)?,
                    created_ms: r.try_get(9)?,
                    delivered_ms: r.try_get(10)?,
                })
            })
            .collect()
    }

    /// Puts dead notifications back in the queue (those in `ids`, or all), with a fresh
    /// retry window. Returns how many.
    pub async fn retry_notifications(&self, ids: Option<&[i64]>) -> Result<u64, Error> {
        let now = unix_now_ms();
        let sql = "UPDATE notification SET state = 'pending', next_attempt_ms = $1, \
                   first_attempt_ms = NULL WHERE state = 'dead'";
        match ids {
            None => Ok(sqlx::query(sql)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected()),
            Some(ids) => {
                let mut n = 0;
                for id in ids {
                    n += sqlx::query(&format!("{sql} AND id = $2"))
                        .bind(now)
                        .bind(*id)
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                }
                Ok(n)
            }
        }
    }

    /// Which subscribed domains breach `name` names, grouped by organisation, with the
    /// domain's counts and each subscription channel's notification state — what an
    /// operator checks before releasing held alerts.
    pub async fn alert_preview(&self, name: &str) -> Result<Vec<PreviewRow>, Error> {
        let id = self
            .breach_id(name)
            .await?
            .ok_or_else(|| Error::NoBreach(name.to_string()))?;
        let rows = sqlx::query(
            "SELECT dn.name, d.accounts, d.occurrences, d.documents, d.messages, s.id, \
             s.webhook_url, s.emails, n_w.state, n_e.state \
             FROM domain_breach d JOIN domain_name dn ON dn.id = d.domain_id \
             JOIN subscription s ON s.domain = dn.name AND s.active = 1 \
             LEFT JOIN notification n_w ON n_w.subscription_id = s.id AND n_w.breach_id = d.breach_id \
                  AND n_w.channel = 'webhook' \
             LEFT JOIN notification n_e ON n_e.subscription_id = s.id AND n_e.breach_id = d.breach_id \
                  AND n_e.channel = 'email' \
             WHERE d.breach_id = $1 ORDER BY dn.name, s.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<PreviewRow> = Vec::new();
        for r in rows {
            let domain: String = r.try_get(0)?;
            if out.last().is_none_or(|p| p.domain != domain) {
                out.push(PreviewRow {
                    organization: crate::org_key_of_domain(&domain),
                    domain: domain.clone(),
                    accounts: u(r.try_get(1)?),
                    occurrences: u(r.try_get(2)?),
                    documents: u(r.try_get(3)?),
                    messages: u(r.try_get(4)?),
                    deliveries: Vec::new(),
                });
            }
            let sub: i64 = r.try_get(5)?;
            let webhook: Option<String> = r.try_get(6)?;
            let emails: String = r.try_get(7)?;
            let state = |s: Option<String>| s.unwrap_or_else(|| "none".into());
            if let Some(p) = out.last_mut() {
                if webhook.is_some() {
                    p.deliveries
                        .push((sub, Channel::Webhook, state(r.try_get(8)?)));
                }
                if !emails.is_empty() {
                    p.deliveries
                        .push((sub, Channel::Email, state(r.try_get(9)?)));
                }
            }
        }
        out.sort_by(|a, b| {
            a.organization
                .cmp(&b.organization)
                .then(a.domain.cmp(&b.domain))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls() {
        assert!(check_webhook_url("https://hooks.contoso.de/leakdex").is_ok());
        assert!(check_webhook_url("http://127.0.0.1:9000/x?y=1").is_ok());
        for bad in [
            "ftp://x/y",
            "hooks.contoso.de",
            "https://",
            "https://user:pw@host/",
            "https://host/ a",
        ] {
            assert!(check_webhook_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mailboxes() {
        assert!(check_mailbox("security@contoso.de").is_ok());
        for bad in ["", "x", "a@b", "a b@c.de", "a@b.de,c@d.de", "@c.de"] {
            assert!(check_mailbox(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_are_standard_webhooks_form() {
        let s = new_secret();
        let b = s.strip_prefix("whsec_").expect("prefix");
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b)
            .expect("base64");
        assert_eq!(raw.len(), 32);
        assert_ne!(s, new_secret());
    }
}
