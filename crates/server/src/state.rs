//! What every handler shares: the index, the configuration, the limiters, the metrics.

use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::range::RangeCache;
use leakdex_index::{ApiKey, Index};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How domain ownership is checked; each part can point at a local server for tests.
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    /// DNS server for TXT lookups (`None`: the system's resolvers).
    pub dns_server: Option<SocketAddr>,
    /// SMTP relay for e-mailed codes, as a lettre URL (`smtp://host:port`,
    /// `smtps://…`, `smtp://…?tls=required`); `None`: e-mail verification is off.
    pub smtp_url: Option<String>,
    /// The sender of verification e-mails.
    pub mail_from: String,
    /// Scheme of the well-known file check (`https`; `http` for tests).
    pub http_scheme: String,
    /// Port of the well-known file check (default: the scheme's).
    pub http_port: Option<u16>,
    /// Connect to this address instead of resolving the domain (tests).
    pub http_connect: Option<IpAddr>,
    /// How long a challenge stays open.
    pub ttl: Duration,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        VerifyConfig {
            dns_server: None,
            smtp_url: None,
            mail_from: "leakdex <no-reply@localhost>".into(),
            http_scheme: "https".into(),
            http_port: None,
            http_connect: None,
            ttl: Duration::from_secs(24 * 3600),
        }
    }
}

/// Service settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Requests per minute per client IP on the endpoints that need no key.
    pub ip_rpm: u32,
    /// How long a looked-up key is trusted before it is read again (revocations take
    /// effect within this time).
    pub key_cache: Duration,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// Largest request body accepted.
    pub body_limit: usize,
    /// Domain verification.
    pub verify: VerifyConfig,
    /// How often the in-memory range snapshot is checked against the index.
    pub range_refresh: Duration,
    /// Most accounts held in the in-memory range snapshot (24 bytes each); a bigger
    /// index answers range requests from the database.
    pub range_max_entries: usize,
    /// Mark the session cookie `Secure` (set when serving over TLS).
    pub secure_cookies: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ip_rpm: 600,
            key_cache: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
            body_limit: 64 * 1024,
            verify: VerifyConfig::default(),
            range_refresh: Duration::from_secs(2),
            range_max_entries: 50_000_000,
            secure_cookies: false,
        }
    }
}

/// The shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub index: Index,
    pub config: Config,
    pub limits: Limits,
    pub metrics: Metrics,
    pub range: Arc<RangeCache>,
    pub sessions: crate::web::Sessions,
    keys: Mutex<HashMap<String, (Option<ApiKey>, Instant)>>,
}

impl AppState {
    /// State over an open index.
    pub fn new(index: Index, config: Config) -> AppState {
        let limits = Limits::new(config.ip_rpm);
        let range = Arc::new(RangeCache::new(
            config.range_refresh,
            config.range_max_entries,
        ));
        AppState(Arc::new(Inner {
            index,
            config,
            limits,
            metrics: Metrics::default(),
            range,
            sessions: Default::default(),
            keys: Mutex::new(HashMap::new()),
        }))
    }

    /// The index.
    pub fn index(&self) -> &Index {
        &self.0.index
    }

    /// The key record of a presented key (cached for `key_cache`).
    pub(crate) async fn key(
        &self,
        presented: &str,
    ) -> Result<Option<ApiKey>, leakdex_index::Error> {
        let hash = leakdex_index::secret_hash(presented);
        if let Ok(cache) = self.0.keys.lock() {
            if let Some((k, at)) = cache.get(&hash) {
                if at.elapsed() < self.0.config.key_cache {
                    return Ok(k.clone());
                }
            }
        }
        let k = self.0.index.key_by_secret(presented).await?;
        if let Ok(mut cache) = self.0.keys.lock() {
            if cache.len() > 100_000 {
                cache.clear();
            }
            cache.insert(hash, (k.clone(), Instant::now()));
        }
        Ok(k)
    }
}
