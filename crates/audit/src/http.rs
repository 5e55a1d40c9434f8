//! The thin HTTP layer under every probe: anonymous GETs that keep the exact status,
//! provider error code and the headers that are evidence, with timeouts, a per-host
//! request interval, and retries with backoff that honour `Retry-After`, 429, 503 and
//! S3's `SlowDown`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Headers kept as evidence (lower case).
const EVIDENCE_HEADERS: &[&str] = &[
    "x-ms-error-code",
    "x-ms-request-id",
    "x-amz-bucket-region",
    "x-amz-request-id",
    "x-guploader-uploadid",
    "retry-after",
    "server",
    "content-type",
    "location",
];

/// An answer, bounded.
#[derive(Debug, Clone, Default)]
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// Evidence headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// The body, at most the limit asked for.
    pub body: Vec<u8>,
    /// How many attempts it took.
    pub attempts: u32,
}

impl Resp {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The provider's error code: `x-ms-error-code`, an XML `<Code>`, or a JSON
    /// `error.errors[0].reason` / `error.status`.
    /// Success answers have no code (their body may be a document: never parsed).
    pub fn error_code(&self) -> Option<String> {
        if self.status < 300 {
            return None;
        }
        if let Some(c) = self.header("x-ms-error-code") {
            return Some(c.to_string());
        }
        let body = String::from_utf8_lossy(&self.body[..self.body.len().min(64 << 10)]);
        if let (Some(a), Some(b)) = (body.find("<Code>"), body.find("</Code>")) {
            if a + 6 <= b {
                return Some(body[a + 6..b].trim().to_string());
            }
        }
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        let e = &v["error"];
        e["errors"][0]["reason"]
            .as_str()
            .or_else(|| e["status"].as_str())
            .map(str::to_string)
    }
}

/// The client: one per audit run.
pub struct Http {
    client: reqwest::Client,
    retries: u32,
    interval: Duration,
    last: Mutex<HashMap<String, Instant>>,
}

impl Http {
    /// A client with a per-request `timeout`, `retries` retries, and at most one request
    /// per `interval` to any one host.
    pub fn new(timeout: Duration, retries: u32, interval: Duration) -> Result<Http, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // Redirects are evidence (S3 region redirects): never followed.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("leakdex-audit/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Http {
            client,
            retries,
            interval,
            last: Mutex::new(HashMap::new()),
        })
    }

    async fn pace(&self, url: &str) {
        let host = url
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or("")
            .to_string();
        let wait = {
            let Ok(mut last) = self.last.lock() else {
                return;
            };
            let now = Instant::now();
            let slot = last.entry(host).or_insert(now - self.interval);
            let next = (*slot + self.interval).max(now);
            *slot = next;
            next - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// GETs `url` anonymously; `range` asks for the first bytes only; the body is cut at
    /// `limit`. Retries transient failures; gives the last answer or error.
    pub async fn get(&self, url: &str, range: Option<u64>, limit: usize) -> Result<Resp, String> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.pace(url).await;
            let mut req = self.client.get(url).header("x-ms-version", "2021-08-06");
            if let Some(n) = range {
                req = req.header("range", format!("bytes=0-{}", n.saturating_sub(1)));
            }
            let r = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    if attempt <= self.retries && (e.is_timeout() || e.is_connect()) {
                        tokio::time::sleep(backoff(attempt, None)).await;
                        continue;
                    }
                    return Err(transport_reason(&e));
                }
            };
            let status = r.status().as_u16();
            let headers: Vec<(String, String)> = EVIDENCE_HEADERS
                .iter()
                .filter_map(|h| {
                    r.headers()
                        .get(*h)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| (h.to_string(), v.to_string()))
                })
                .collect();
            let retry_after = headers
                .iter()
                .find(|(n, _)| n == "retry-after")
                .and_then(|(_, v)| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let mut body = Vec::new();
            let mut r = r;
            loop {
                match r.chunk().await {
                    Ok(Some(c)) => {
                        let room = limit.saturating_sub(body.len());
                        body.extend_from_slice(&c[..c.len().min(room)]);
                        if body.len() >= limit {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => return Err(transport_reason(&e)),
                }
            }
            let resp = Resp {
                status,
                headers,
                body,
                attempts: attempt,
            };
            let slow =
                status == 429 || status == 503 || resp.error_code().as_deref() == Some("SlowDown");
            if slow && attempt <= self.retries {
                tokio::time::sleep(backoff(attempt, retry_after)).await;
                continue;
            }
            return Ok(resp);
        }
    }
}

/// 200 ms × 2^(n-1), at most 10 s, or what `Retry-After` asks (at most 30 s).
fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(d) = retry_after {
        return d.min(Duration::from_secs(30));
    }
    let ms = 200u64.saturating_mul(1 << (attempt.saturating_sub(1)).min(6));
    let jitter = rand::random::<f64>() * 0.5 + 0.5;
    Duration::from_millis(((ms.min(10_000)) as f64 * jitter) as u64)
}

/// A transport failure as a short reason (never a body).
fn transport_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else if e.is_body() || e.is_decode() {
        "the answer was cut short".into()
    } else {
        "request failed".into()
    }
}
