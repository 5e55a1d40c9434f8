//! Who may read what: API keys (stored hashed), domains a key has verified, open
//! verification challenges, and the audit log of accesses to verified-domain data.

use crate::breach::u;
use crate::{Error, Index};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::time::{SystemTime, UNIX_EPOCH};

/// An API key as stored (never the key itself).
#[derive(Debug, Clone, Serialize)]
pub struct ApiKey {
    /// Internal id.
    pub id: i64,
    /// Who or what the key is for.
    pub label: String,
    /// The key's first characters, to tell keys apart in lists and logs.
    pub prefix: String,
    /// Requests per minute allowed.
    pub rpm: u32,
    /// When it was created.
    pub created: String,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A domain a key has proved it controls.
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedDomain {
    /// The registrable domain.
    pub domain: String,
    /// How it was verified: `dns`, `email`, `http` or `admin`.
    pub method: String,
    /// When.
    pub verified_at: String,
}

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// When.
    pub at: String,
    /// The key's id.
    pub key_id: i64,
    /// The key's label at the time.
    pub key_label: String,
    /// Which domain's data.
    pub domain: String,
    /// What was read (the route).
    pub action: String,
}

/// A verification challenge could not be completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeError {
    /// No open challenge for this key, domain and method (never started, expired or used).
    NoChallenge,
    /// Too many wrong attempts: start again.
    TooManyAttempts,
    /// The proof did not match.
    Mismatch,
}

/// Records (or renews) that a key controls a domain: `$1` key, `$2` domain, `$3` method,
/// `$4` time.
const VERIFY: &str = "INSERT INTO verified_domain (key_id, domain, method, verified_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (key_id, domain) \
     DO UPDATE SET method = excluded.method, verified_at = excluded.verified_at";

/// Wrong proofs allowed per challenge before it is closed.
pub const MAX_ATTEMPTS: i64 = 5;

/// SHA-256 of a secret as lower-case hex (keys, tokens and codes are stored this way).
pub fn secret_hash(secret: &str) -> String {
    // On the path of every keyed request: no allocation per byte.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let d = Sha256::digest(secret.as_bytes());
    let mut s = String::with_capacity(64);
    for b in d {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

/// A fresh random secret: `bytes` random bytes as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes * 2);
    for _ in 0..bytes {
        s.push_str(&format!("{:02x}", rand::random::<u8>()));
    }
    s
}

/// Milliseconds since the epoch.
pub(crate) fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0))
}

/// A registrable domain as given by a user: trimmed, lower-cased, no trailing dot;
/// anything else (a subdomain, a public suffix, garbage) is refused.
pub(crate) fn verify_domain_arg(domain: &str) -> Result<String, Error> {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    match leakdex_core::registrable_domain(&d) {
        Some(r) if r == d => Ok(d),
        _ => Err(Error::Invalid(format!(
            "{domain:?} is not a registrable domain (e.g. contoso.de, not mail.contoso.de)"
        ))),
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

fn key_from_row(r: &sqlx::any::AnyRow) -> Result<ApiKey, Error> {
    Ok(ApiKey {
        id: r.try_get(0)?,
        label: r.try_get(1)?,
        prefix: r.try_get(2)?,
        rpm: u32::try_from(r.try_get::<i64, _>(3)?).unwrap_or(u32::MAX),
        created: r.try_get(4)?,
        revoked: r.try_get::<i64, _>(5)? != 0,
    })
}

impl Index {
    /// Creates an API key; returns it (shown once: only its hash is kept) and its record.
    pub async fn create_key(&self, label: &str, rpm: u32) -> Result<(String, ApiKey), Error> {
        if label.trim().is_empty() || label.len() > 200 {
            return Err(Error::Invalid("key label: give 1–200 characters".into()));
        }
        if rpm == 0 {
            return Err(Error::Invalid("--rpm must be at least 1".into()));
        }
        let key = format!("ldx_{}", random_hex(16));
        let prefix = key[..8].to_string();
        let row = sqlx::query(
            "INSERT INTO api_key (label, key_hash, prefix, rpm, created) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, label, prefix, rpm, created, revoked",
        )
        .bind(label.trim())
        .bind(secret_hash(&key))
        .bind(&prefix)
        .bind(i64::from(rpm))
        .bind(crate::now_rfc3339())
        .fetch_one(&self.pool)
        .await?;
        Ok((key, key_from_row(&row)?))
    }

    /// The key record of a presented key, if it exists and is not revoked.
    pub async fn key_by_secret(&self, key: &str) -> Result<Option<ApiKey>, Error> {
        let row = sqlx::query(
            "SELECT id, label, prefix, rpm, created, revoked FROM api_key \
             WHERE key_hash = $1 AND revoked = 0",
        )
        .bind(secret_hash(key))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(key_from_row).transpose()
    }

    /// Every key, newest last.
    pub async fn keys(&self) -> Result<Vec<ApiKey>, Error> {
        let rows =
            sqlx::query("SELECT id, label, prefix, rpm, created, revoked FROM api_key ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(key_from_row).collect()
    }

    /// Revokes a key by id; false when there is none.
    pub async fn revoke_key(&self, id: i64) -> Result<bool, Error> {
        let r = sqlx::query("UPDATE api_key SET revoked = 1 WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Records that `key_id` controls `domain` (proved by `method`).
    pub async fn add_verified_domain(
        &self,
        key_id: i64,
        domain: &str,
        method: &str,
    ) -> Result<(), Error> {
        sqlx::query(VERIFY)
            .bind(key_id)
            .bind(domain)
            .bind(method)
            .bind(crate::now_rfc3339())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The domains `key_id` has verified.
    pub async fn verified_domains(&self, key_id: i64) -> Result<Vec<VerifiedDomain>, Error> {
        let rows = sqlx::query(
            "SELECT domain, method, verified_at FROM verified_domain WHERE key_id = $1 ORDER BY domain",
        )
        .bind(key_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VerifiedDomain {
                    domain: r.try_get(0)?,
                    method: r.try_get(1)?,
                    verified_at: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// Whether `key_id` has verified `domain`.
    pub async fn is_verified(&self, key_id: i64, domain: &str) -> Result<bool, Error> {
        let row = sqlx::query("SELECT 1 FROM verified_domain WHERE key_id = $1 AND domain = $2")
            .bind(key_id)
            .bind(domain)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Opens a challenge for `key_id` to prove `domain` by `method` with `secret`, valid
    /// for `ttl_secs`; earlier open challenges of the same key, domain and method close.
    pub async fn start_challenge(
        &self,
        key_id: i64,
        domain: &str,
        method: &str,
        secret: &str,
        ttl_secs: i64,
    ) -> Result<(), Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE verification SET used = 1 WHERE key_id = $1 AND domain = $2 AND method = $3",
        )
        .bind(key_id)
        .bind(domain)
        .bind(method)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO verification (key_id, domain, method, token_hash, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key_id)
        .bind(domain)
        .bind(method)
        .bind(secret_hash(secret))
        .bind(unix_now() + ttl_secs)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether `key_id` has an open (unused, unexpired) challenge for `domain` by `method`.
    pub async fn has_open_challenge(
        &self,
        key_id: i64,
        domain: &str,
        method: &str,
    ) -> Result<bool, Error> {
        let row = sqlx::query(
            "SELECT 1 FROM verification WHERE key_id = $1 AND domain = $2 AND method = $3 \
             AND used = 0 AND expires_at > $4 LIMIT 1",
        )
        .bind(key_id)
        .bind(domain)
        .bind(method)
        .bind(unix_now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Checks the open challenge of `key_id` for `domain` by `method` against what was
    /// found or given (`proofs`: any of them may match). On a match the challenge is used
    /// up and the domain verified; a mismatch counts an attempt.
    pub async fn complete_challenge(
        &self,
        key_id: i64,
        domain: &str,
        method: &str,
        proofs: &[String],
    ) -> Result<Result<(), ChallengeError>, Error> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT id, token_hash, attempts FROM verification \
             WHERE key_id = $1 AND domain = $2 AND method = $3 AND used = 0 AND expires_at > $4 \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(key_id)
        .bind(domain)
        .bind(method)
        .bind(unix_now())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Err(ChallengeError::NoChallenge));
        };
        let id: i64 = row.try_get(0)?;
        let want: String = row.try_get(1)?;
        let attempts: i64 = row.try_get(2)?;
        if attempts >= MAX_ATTEMPTS {
            return Ok(Err(ChallengeError::TooManyAttempts));
        }
        if proofs.iter().any(|p| secret_hash(p.trim()) == want) {
            // Single use: only the first of two racing checks flips `used`.
            let r = sqlx::query("UPDATE verification SET used = 1 WHERE id = $1 AND used = 0")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() == 0 {
                return Ok(Err(ChallengeError::NoChallenge));
            }
            sqlx::query(VERIFY)
                .bind(key_id)
                .bind(domain)
                .bind(method)
                .bind(crate::now_rfc3339())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Ok(()))
        } else {
            sqlx::query("UPDATE verification SET attempts = attempts + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Err(ChallengeError::Mismatch))
        }
    }

    /// Writes an audit entry: `key` read `domain`'s data through `action`.
    pub async fn audit(&self, key: &ApiKey, domain: &str, action: &str) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO audit_log (at, key_id, key_label, domain, action) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(crate::now_rfc3339())
        .bind(key.id)
        .bind(&key.label)
        .bind(domain)
        .bind(action)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The audit log, oldest first, optionally for one domain, at most `limit` entries
    /// (the newest).
    pub async fn audit_log(
        &self,
        domain: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, Error> {
        let rows = sqlx::query(
            "SELECT at, key_id, key_label, domain, action FROM audit_log \
             WHERE ($1 = '' OR domain = $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(domain.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: r.try_get(0)?,
                    key_id: r.try_get(1)?,
                    key_label: r.try_get(2)?,
                    domain: r.try_get(3)?,
                    action: r.try_get(4)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        out.reverse();
        Ok(out)
    }

    /// Unique accounts of `domain` over the breaches a verified owner sees (all but
    /// retired), for `/subscribeddomains`.
    pub async fn domain_pwn_count(&self, domain: &str) -> Result<(u64, u64), Error> {
        let row = sqlx::query(DOMAIN_PWN_COUNT)
            .bind(domain)
            .fetch_one(&self.pool)
            .await?;
        Ok((u(row.try_get(0)?), u(row.try_get(1)?)))
    }
}

/// Unique accounts of a domain over the breaches a verified owner sees.
pub(crate) const DOMAIN_PWN_COUNT: &str = "SELECT CAST(COUNT(DISTINCT a.id) AS BIGINT), \
                    CAST(COUNT(DISTINCT CASE WHEN b.is_spam_list = 0 THEN a.id END) AS BIGINT) \
             FROM account a JOIN account_breach ab ON ab.account_id = a.id \
             JOIN breach b ON b.id = ab.breach_id WHERE a.domain_id = (SELECT id FROM domain_name WHERE name = $1) \
             AND b.is_retired = 0";

#[cfg(test)]
mod tests {
    #[test]
    fn secret_hash_is_sha256_hex() {
        assert_eq!(
            super::secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
