//! Delivering alerts from the outbox: signed webhooks (Standard Webhooks) and e-mail.
//!
//! A [`Deliverer`] leases due notifications ([`Index::claim_notifications`]), builds each
//! one's body once (kept in the outbox, so every retry sends the same bytes), sends it,
//! and settles the attempt: delivered, retry later (exponential backoff with jitter,
//! honouring `Retry-After`), dead after the retry window, or cancelled when no longer
//! wanted. The transport is at-least-once — a sender killed after the receiver took the
//! body but before it recorded the answer sends it again — so every attempt carries the
//! same idempotency key (`webhook-id`, `Idempotency-Key`, the e-mail's Message-ID), and
//! a receiver that keeps the keys it has seen acts exactly once.
//!
//! Signature (docs/alerts.md): `webhook-signature: v1,BASE64(HMAC-SHA256(key, ID "." TS
//! "." BODY))`, where the key is the base64 after `whsec_` in the subscription's secret.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use leakdex_index::{Channel, Claimed, Index, Outcome};
use serde_json::{json, Value};
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How alerts are delivered.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Longest one attempt may take (webhook POST or SMTP session).
    pub timeout: Duration,
    /// How often the outbox is checked for due notifications.
    pub poll: Duration,
    /// Delay before the first retry; each further retry doubles it (with jitter).
    pub retry_base: Duration,
    /// Longest delay between two attempts.
    pub retry_cap: Duration,
    /// How long after the first attempt a failing notification is retried before it
    /// becomes a dead letter (`leakdex notify failed`).
    pub give_up: Duration,
    /// Deliver to loopback, private and link-local addresses (off: a subscriber could
    /// otherwise make the server POST into its own network).
    pub allow_private: bool,
    /// SMTP relay for e-mail alerts (lettre URL); `None`: e-mail alerts wait.
    pub smtp_url: Option<String>,
    /// Sender of e-mail alerts.
    pub mail_from: String,
    /// Notifications leased per round.
    pub batch: i64,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            timeout: Duration::from_secs(10),
            poll: Duration::from_secs(2),
            retry_base: Duration::from_secs(30),
            retry_cap: Duration::from_secs(3600),
            give_up: Duration::from_secs(24 * 3600),
            allow_private: false,
            smtp_url: None,
            mail_from: "leakdex <no-reply@localhost>".into(),
            batch: 32,
        }
    }
}

impl DeliveryConfig {
    /// How long an attempt holds its notification: past it, the attempt is presumed dead
    /// (its process killed) and another worker sends again.
    pub fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(2)
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundStats {
    /// Accepted by the receiver.
    pub delivered: u64,
    /// Failed, to be retried.
    pub retrying: u64,
    /// Failed for good (dead letters).
    pub dead: u64,
    /// No longer wanted.
    pub cancelled: u64,
}

impl RoundStats {
    fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::Delivered => self.delivered += 1,
            Outcome::Retry(..) => self.retrying += 1,
            Outcome::Dead(_) => self.dead += 1,
            Outcome::Cancelled(_) => self.cancelled += 1,
        }
    }

    /// Attempts made.
    pub fn total(&self) -> u64 {
        self.delivered + self.retrying + self.dead + self.cancelled
    }
}

/// Sends what the outbox holds.
#[derive(Clone)]
pub struct Deliverer {
    index: Index,
    cfg: Arc<DeliveryConfig>,
    client: reqwest::Client,
}

impl Deliverer {
    /// A deliverer over `index`.
    pub fn new(index: Index, cfg: DeliveryConfig) -> Result<Deliverer, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            // A redirect could lead anywhere, including into the server's own network.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the host itself, past the address check below.
            .no_proxy()
            .user_agent(concat!("leakdex/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(Guarded {
                allow_private: cfg.allow_private,
            }))
            .build()?;
        Ok(Deliverer {
            index,
            cfg: Arc::new(cfg),
            client,
        })
    }

    /// Leases one batch of due notifications and makes one attempt at each, in parallel.
    pub async fn round(&self) -> Result<RoundStats, leakdex_index::Error> {
        let lease = i64::try_from(self.cfg.lease().as_millis()).unwrap_or(i64::MAX);
        let claimed = self
            .index
            .claim_notifications(lease, self.cfg.batch, self.cfg.smtp_url.is_some())
            .await?;
        let mut set = tokio::task::JoinSet::new();
        for c in claimed {
            let me = self.clone();
            set.spawn(async move { me.attempt(c).await });
        }
        let mut stats = RoundStats::default();
        while let Some(r) = set.join_next().await {
            match r {
                Ok(Ok(o)) => stats.add(&o),
                Ok(Err(e)) => tracing::error!(error = %e, "cannot record an alert attempt"),
                Err(e) => tracing::error!(error = %e, "an alert attempt panicked"),
            }
        }
        Ok(stats)
    }

    /// Rounds until nothing is due (what `leakdex notify run` does): one attempt at
    /// everything due now; retries scheduled later stay queued.
    pub async fn drain(&self) -> Result<RoundStats, leakdex_index::Error> {
        let mut all = RoundStats::default();
        loop {
            let r = self.round().await?;
            if r.total() == 0 {
                return Ok(all);
            }
            all.delivered += r.delivered;
            all.retrying += r.retrying;
            all.dead += r.dead;
            all.cancelled += r.cancelled;
        }
    }

    /// Delivers for ever, every `poll` (the worker inside `leakdex serve`).
    pub async fn run(self) {
        tracing::info!(
            poll_ms = self.cfg.poll.as_millis() as u64,
            "alert delivery started"
        );
        loop {
            match self.round().await {
                Ok(s) if s.total() > 0 => {
                    tracing::info!(
                        delivered = s.delivered,
                        retrying = s.retrying,
                        dead = s.dead,
                        cancelled = s.cancelled,
                        "alert round"
                    );
                    // More may be due at once: no sleep after a full round.
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the alert outbox"),
            }
            tokio::time::sleep(self.cfg.poll).await;
        }
    }

    async fn attempt(&self, c: Claimed) -> Result<Outcome, leakdex_index::Error> {
        if let Some(why) = c.cancel {
            let o = Outcome::Cancelled(why.into());
            self.index.settle_notification(c.id, c.attempt, &o).await?;
            tracing::info!(notification = c.id, reason = why, "alert cancelled");
            return Ok(o);
        }
        let body = match &c.payload {
            Some(p) => p.clone(),
            None => match payload(&self.index, &c).await? {
                Some(p) => self.index.store_payload(c.id, &p).await?,
                None => {
                    let o = Outcome::Cancelled("nothing left to report".into());
                    self.index.settle_notification(c.id, c.attempt, &o).await?;
                    return Ok(o);
                }
            },
        };
        // Claiming and building the body took time: renew the lease (and check this
        // attempt still owns the row) so the send gets all of it.
        let lease = i64::try_from(self.cfg.lease().as_millis()).unwrap_or(i64::MAX);
        if !self.index.renew_lease(c.id, c.attempt, lease).await? {
            tracing::warn!(
                notification = c.id,
                "an alert's lease ran out before sending; another attempt owns it"
            );
            return Ok(Outcome::Cancelled("lease lost".into()));
        }
        let sent = match c.channel {
            Channel::Webhook => self.post(&c, &body).await,
            Channel::Email => self.mail(&c, &body).await,
        };
        let outcome = match sent {
            Ok(()) => Outcome::Delivered,
            Err(Failure::Permanent(e)) => Outcome::Dead(e),
            Err(Failure::Temporary(e, retry_after)) => self.next(&c, e, retry_after),
        };
        match &outcome {
            Outcome::Delivered => tracing::info!(
                notification = c.id,
                channel = c.channel.as_str(),
                attempt = c.attempt,
                "alert delivered"
            ),
            Outcome::Retry(_, e) | Outcome::Dead(e) | Outcome::Cancelled(e) => tracing::warn!(
                notification = c.id,
                channel = c.channel.as_str(),
                attempt = c.attempt,
                error = %e,
                dead = matches!(outcome, Outcome::Dead(_)),
                "alert not delivered"
            ),
        }
        if !self
            .index
            .settle_notification(c.id, c.attempt, &outcome)
            .await?
        {
            tracing::warn!(
                notification = c.id,
                "an alert attempt outlived its lease; another attempt owns it"
            );
        }
        Ok(outcome)
    }

    /// The retry after a temporary failure, or a dead letter past the retry window.
    fn next(&self, c: &Claimed, error: String, retry_after: Option<Duration>) -> Outcome {
        let now = unix_ms();
        let give_up_at = c
            .first_attempt_ms
            .saturating_add(i64::try_from(self.cfg.give_up.as_millis()).unwrap_or(i64::MAX));
        if now >= give_up_at {
            return Outcome::Dead(format!("{error} (gave up after {} attempts)", c.attempt));
        }
        let delay = backoff(
            self.cfg.retry_base,
            self.cfg.retry_cap,
            c.attempt,
            rand::random::<f64>(),
        )
        .max(retry_after.unwrap_or_default());
        let at = now.saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
        // The last attempt happens at the end of the window, not after it.
        Outcome::Retry(at.min(give_up_at), error)
    }

    async fn post(&self, c: &Claimed, body: &str) -> Result<(), Failure> {
        let Some(url) = c.subscription.webhook_url.as_deref() else {
            return Err(Failure::Permanent("the subscription has no webhook".into()));
        };
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| Failure::Permanent("the webhook URL does not parse".into()))?;
        // IP literals skip the resolver: check them here.
        let literal = parsed
            .host_str()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
            .and_then(|h| h.parse::<IpAddr>().ok());
        if let Some(ip) = literal {
            if !self.cfg.allow_private && !is_public(ip) {
                return Err(Failure::Permanent(
                    "the webhook address is not public".into(),
                ));
            }
        }
        let ts = unix_ms() / 1000;
        let signature = sign(&c.secret, &c.idempotency_key, ts, body)
            .ok_or_else(|| Failure::Permanent("the subscription's secret is damaged".into()))?;
        let r = self
            .client
            .post(parsed)
            .header("content-type", "application/json")
            .header("webhook-id", &c.idempotency_key)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signature)
            .header("idempotency-key", &c.idempotency_key)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| Failure::Temporary(describe(&e), None))?;
        let status = r.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(24 * 3600)));
        // Only the status: a receiver's error page is none of our business (or log's).
        Err(Failure::Temporary(
            format!("HTTP {}", status.as_u16()),
            retry_after,
        ))
    }

    async fn mail(&self, c: &Claimed, body: &str) -> Result<(), Failure> {
        use lettre::message::header::ContentType;
        use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
        let Some(relay) = self.cfg.smtp_url.as_deref() else {
            return Err(Failure::Temporary(
                "no SMTP relay configured (--smtp-url)".into(),
                None,
            ));
        };
        let v: Value = serde_json::from_str(body)
            .map_err(|_| Failure::Permanent("the stored alert is damaged".into()))?;
        let (subject, text) = email_text(&v);
        let from = self.cfg.mail_from.parse().map_err(|_| {
            Failure::Temporary("the sender address is invalid (--mail-from)".into(), None)
        })?;
        let mut builder = Message::builder()
            .from(from)
            .subject(subject)
            // The idempotency key, so a receiving system can drop a repeat.
            .message_id(Some(format!("<{}@leakdex>", c.idempotency_key)))
            .header(ContentType::TEXT_PLAIN);
        let mut any = false;
        for to in &c.subscription.emails {
            if let Ok(mbox) = to.parse() {
                builder = builder.to(mbox);
                any = true;
            }
        }
        if !any {
            return Err(Failure::Permanent("no valid recipient".into()));
        }
        let msg = builder
            .body(text)
            .map_err(|_| Failure::Permanent("cannot build the e-mail".into()))?;
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(relay)
            .map_err(|_| Failure::Temporary("the relay URL is invalid (--smtp-url)".into(), None))?
            .timeout(Some(self.cfg.timeout))
            .build();
        match tokio::time::timeout(self.cfg.timeout * 2, mailer.send(msg)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.is_permanent() => Err(Failure::Temporary(
                "the relay refused the message (5xx)".into(),
                None,
            )),
            Ok(Err(_)) => Err(Failure::Temporary(
                "the relay did not take the message".into(),
                None,
            )),
            Err(_) => Err(Failure::Temporary("SMTP timeout".into(), None)),
        }
    }
}

/// Why an attempt failed.
enum Failure {
    /// Sending again cannot help.
    Permanent(String),
    /// Try again (no sooner than the duration, if the receiver said so).
    Temporary(String, Option<Duration>),
}

/// A transport error's kind, without the URL or anything the receiver sent.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else if e.is_request() {
        "request failed".into()
    } else {
        "transport error".into()
    }
}

/// Delay before attempt `attempt + 1`: `base · 2^(attempt-1)` capped at `cap`, then
/// scaled by a jitter factor in [0.5, 1] (`unit` is uniform in [0, 1)), so receivers
/// that come back up are not hit by every sender at once.
pub fn backoff(base: Duration, cap: Duration, attempt: i64, unit: f64) -> Duration {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let d = base.saturating_mul(1u32 << exp).min(cap);
    d.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
}

/// The `webhook-signature` header value for a body: `v1,` + base64 of HMAC-SHA256 over
/// `id.timestamp.body`, keyed by the bytes of the `whsec_` secret. `None` if the secret
/// does not decode.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Some(format!("v1,{}", b64.encode(mac.finalize().into_bytes())))
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0))
}

/// Whether an address is on the public internet (not loopback, private, link-local,
/// shared, documentation, multicast or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // NAT64, 6to4 and IPv4-compatible addresses carry an IPv4 address: judge it.
            let embedded = |hi: u16, lo: u16| {
                IpAddr::V4(std::net::Ipv4Addr::new(
                    (hi >> 8) as u8,
                    hi as u8,
                    (lo >> 8) as u8,
                    lo as u8,
                ))
            };
            if (s[0] == 0x64 && s[1] == 0xff9b) || (s[0..6] == [0; 6] && s[6] != 0) {
                return is_public(embedded(s[6], s[7]));
            }
            if s[0] == 0x2002 {
                return is_public(embedded(s[1], s[2]));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                || s[0] == 0x2001 && s[1] == 0x0db8)
        }
    }
}

/// Resolves webhook hosts, keeping only public addresses unless private ones are allowed.
struct Guarded {
    allow_private: bool,
}

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| allow || is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err("the webhook host has no public address".into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The alert body (Standard Webhooks envelope: `type`, `timestamp`, `data`), or `None`
/// when the domain no longer appears in the breach.
async fn payload(index: &Index, c: &Claimed) -> Result<Option<String>, leakdex_index::Error> {
    let domain = &c.subscription.domain;
    let Some(breach) = index.breach(&c.breach).await? else {
        return Ok(None);
    };
    let Some(hit) = index
        .search_domain(domain)
        .await?
        .into_iter()
        .find(|h| h.breach == c.breach)
    else {
        return Ok(None);
    };
    let types = index
        .domain_document_types(domain)
        .await?
        .remove(&c.breach)
        .unwrap_or_default();
    let mut data = json!({
        "domain": domain,
        "breach": {
            "Name": breach.name,
            "Title": breach.title,
            "Domain": breach.domain,
            "BreachDate": breach.breach_date,
            "AddedDate": breach.added_date,
            "ModifiedDate": breach.modified_date,
            "PwnCount": breach.pwn_count,
            "DataClasses": breach.data_classes,
            "IsVerified": breach.is_verified,
            "IsFabricated": breach.is_fabricated,
            "IsSensitive": breach.is_sensitive,
            "IsSpamList": breach.is_spam_list,
            "IsMalware": breach.is_malware,
        },
        "counts": {
            "accounts": hit.accounts,
            "occurrences": hit.occurrences,
            "documents": hit.documents,
            "messages": hit.messages,
        },
        "dataClasses": hit.data_classes,
        "documentTypes": types,
    });
    if c.subscription.include_addresses {
        let rows: Vec<Value> = index
            .domain_addresses(domain)
            .await?
            .into_iter()
            .filter(|a| a.breach == c.breach)
            .map(|a| {
                json!({
                    "email": a.email,
                    "occurrences": a.occurrences,
                    "dataClasses": a.data_classes,
                    "documentTypes": a.document_types,
                })
            })
            .collect();
        data["addresses"] = Value::Array(rows);
    }
    let v = json!({
        "type": "breach.domain",
        "timestamp": leakdex_index::now_rfc3339(),
        "data": data,
    });
    Ok(Some(v.to_string()))
}

/// Subject and plain text of an e-mail alert, from its stored JSON body.
pub fn email_text(v: &Value) -> (String, String) {
    let d = &v["data"];
    let b = &d["breach"];
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let domain = s(&d["domain"]);
    let title = s(&b["Title"]);
    let subject = format!("[leakdex] {domain} appears in the breach \"{title}\"");
    let list = |v: &Value| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let mut t = format!(
        "{domain} appears in the breach \"{title}\" ({}), breached {}, added {}.\n\n\
         Unique addresses at {domain}:   {}\n\
         Raw occurrences:               {}\n\
         Documents naming the domain:   {}\n\
         Messages naming the domain:    {}\n\
         Data classes:                  {}\n",
        s(&b["Name"]),
        s(&b["BreachDate"]),
        s(&b["AddedDate"]),
        n(&d["counts"]["accounts"]),
        n(&d["counts"]["occurrences"]),
        n(&d["counts"]["documents"]),
        n(&d["counts"]["messages"]),
        list(&d["dataClasses"]),
    );
    if let Some(types) = d["documentTypes"].as_object() {
        if !types.is_empty() {
            let parts: Vec<String> = types
                .iter()
                .map(|(k, c)| format!("{k} ({})", n(&c["unique"])))
                .collect();
            t.push_str(&format!(
                "Document types:                {}\n",
                parts.join(", ")
            ));
        }
    }
    if let Some(rows) = d["addresses"].as_array() {
        t.push_str("\nAddresses found:\n");
        for r in rows {
            t.push_str(&format!(
                "  {}  ({} occurrences; {})\n",
                s(&r["email"]),
                n(&r["occurrences"]),
                list(&r["dataClasses"])
            ));
        }
    }
    t.push_str(
        "\nThe full picture (counts explained, addresses as CSV) is in your leakdex dashboard.\n\
         This alert is sent once; a repeat with the same Message-ID is a retry.\n",
    );
    (subject, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters() {
        let base = Duration::from_secs(30);
        let cap = Duration::from_secs(3600);
        assert_eq!(backoff(base, cap, 1, 1.0), Duration::from_secs(30));
        assert_eq!(backoff(base, cap, 1, 0.0), Duration::from_secs(15));
        assert_eq!(backoff(base, cap, 3, 1.0), Duration::from_secs(120));
        assert_eq!(backoff(base, cap, 40, 1.0), cap);
        assert_eq!(backoff(base, cap, 0, 1.0), Duration::from_secs(30));
    }

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification (and its reference
        // libraries' tests): same secret, id, timestamp and body, same signature.
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(sign("whsec_!!!", "id", 1, "{}"), None);
    }

    #[test]
    fn public_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:a00:1::1",
            "::10.0.0.1",
            "fec0::1",
        ] {
            assert!(!is_public(private.parse().expect("ip")), "{private}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1::1", "1.1.1.1"] {
            assert!(is_public(public.parse().expect("ip")), "{public}");
        }
    }

    #[test]
    fn email_text_reads_the_body() {
        let v = json!({"type": "breach.domain", "data": {"domain": "contoso.de",
            "breach": {"Name": "C", "Title": "Contoso CRM", "BreachDate": "2024-01-02", "AddedDate": "x"},
            "counts": {"accounts": 3, "occurrences": 9, "documents": 2, "messages": 1},
            "dataClasses": ["Email addresses", "Names"],
            "documentTypes": {"csv": {"raw": 2, "unique": 1}},
            "addresses": [{"email": "a@contoso.de", "occurrences": 2, "dataClasses": ["Email addresses"]}]}});
        let (subject, text) = email_text(&v);
        assert_eq!(
            subject,
            "[leakdex] contoso.de appears in the breach \"Contoso CRM\""
        );
        assert!(
            text.contains("Unique addresses at contoso.de:   3"),
            "{text}"
        );
        assert!(text.contains("csv (1)"), "{text}");
        assert!(text.contains("a@contoso.de  (2 occurrences"), "{text}");
    }
}
