//! Domain verification: a key proves it controls a domain by a DNS TXT record, a code
//! e-mailed to one of the domain's role mailboxes, or a file under `/.well-known/`.
//! Tokens are random, expire, and are single use; what a check answers never depends on
//! whether the domain is in any breach.

use crate::auth::Authed;
use crate::error::{ApiError, ErrorBody, JsonBody, PathArg};
use crate::hibp::registrable;
use crate::state::{AppState, VerifyConfig};
use axum::extract::State;
use axum::Json;
use leakdex_index::ChallengeError;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;

/// The mailboxes a code may be sent to (`admin@DOMAIN`, …).
pub const MAILBOXES: [&str; 5] = ["admin", "hostmaster", "security", "webmaster", "info"];

/// The TXT record value's prefix: `leakdex-verification=TOKEN`.
pub const TXT_PREFIX: &str = "leakdex-verification=";

/// Where the well-known file lives.
pub const WELL_KNOWN: &str = "/.well-known/leakdex-verification.txt";

/// How a domain is proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// A TXT record `leakdex-verification=TOKEN` on the domain.
    Dns,
    /// A code sent to a role mailbox of the domain.
    Email,
    /// The token in `https://DOMAIN/.well-known/leakdex-verification.txt`.
    Http,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Dns => "dns",
            Method::Email => "email",
            Method::Http => "http",
        }
    }
}

/// Body of `verify/start`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StartRequest {
    /// `dns`, `email` or `http`.
    pub method: Method,
    /// For `email`: which mailbox (admin, hostmaster, security, webmaster or info).
    pub mailbox: Option<String>,
}

/// Answer of `verify/start`: what to publish (or where the code went).
#[derive(Debug, Serialize, ToSchema)]
pub struct StartResponse {
    /// The domain.
    pub domain: String,
    /// The method.
    pub method: Method,
    /// The token to publish (DNS and HTTP; for e-mail it is sent, not shown).
    pub token: Option<String>,
    /// What to do next.
    pub instructions: String,
    /// Seconds until the challenge expires.
    pub expires_in: u64,
}

/// Body of `verify/check`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckRequest {
    /// The method started.
    pub method: Method,
    /// For `email`: the code received.
    pub code: Option<String>,
}

/// Answer of a successful `verify/check`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    /// The domain.
    pub domain: String,
    /// Always true (failures are 4xx).
    pub verified: bool,
    /// The method.
    pub method: Method,
}

/// `POST /api/v1/domains/{domain}/verify/start`.
#[utoipa::path(post, path = "/api/v1/domains/{domain}/verify/start", tag = "verification",
    params(("domain" = String, Path, description = "The registrable domain to prove")),
    request_body = StartRequest,
    responses((status = 200, body = StartResponse), (status = 400, description = "Bad domain, body, method or mailbox", body = ErrorBody),
              (status = 401, description = "Missing or invalid key"), (status = 503, description = "E-mail relay not configured or failing")),
    security(("hibp-api-key" = [])))]
pub(crate) async fn start(
    State(state): State<AppState>,
    Authed(key): Authed,
    PathArg(raw): PathArg<String>,
    JsonBody(req): JsonBody<StartRequest>,
) -> Result<Json<StartResponse>, ApiError> {
    Ok(Json(start_for(&state, &key, &raw, &req).await?))
}

/// Opens a challenge for `key` to prove the domain `raw`.
pub(crate) async fn start_for(
    state: &AppState,
    key: &leakdex_index::ApiKey,
    raw: &str,
    req: &StartRequest,
) -> Result<StartResponse, ApiError> {
    let domain = registrable(raw)?;
    let cfg = &state.0.config.verify;
    let ttl = cfg.ttl.as_secs();
    let ttl_i = i64::try_from(ttl).unwrap_or(i64::MAX);
    let index = state.index();
    match req.method {
        Method::Dns | Method::Http => {
            let token = leakdex_index::random_hex(16);
            index
                .start_challenge(key.id, &domain, req.method.as_str(), &token, ttl_i)
                .await?;
            let instructions = if req.method == Method::Dns {
                format!("Publish a TXT record on {domain} with the value \"{TXT_PREFIX}{token}\", then call verify/check.")
            } else {
                format!("Serve the token as the body of https://{domain}{WELL_KNOWN}, then call verify/check.")
            };
            Ok(StartResponse {
                domain,
                method: req.method,
                token: Some(token),
                instructions,
                expires_in: ttl,
            })
        }
        Method::Email => {
            let mailbox = req
                .mailbox
                .as_deref()
                .unwrap_or("admin")
                .to_ascii_lowercase();
            if !MAILBOXES.contains(&mailbox.as_str()) {
                return Err(ApiError::BadRequest(format!(
                    "mailbox must be one of {}",
                    MAILBOXES.join(", ")
                )));
            }
            let Some(url) = cfg.smtp_url.as_deref() else {
                return Err(ApiError::Unavailable(
                    "e-mail verification is not configured on this server (leakdex serve --smtp-url)".into(),
                ));
            };
            let code = leakdex_index::random_hex(5);
            let to = format!("{mailbox}@{domain}");
            send_code(url, &cfg.mail_from, &to, &domain, &code).await?;
            index
                .start_challenge(key.id, &domain, "email", &code, ttl_i)
                .await?;
            Ok(StartResponse {
                domain,
                method: Method::Email,
                token: None,
                instructions: format!(
                    "A code was sent to {to}. Pass it to verify/check as \"code\"."
                ),
                expires_in: ttl,
            })
        }
    }
}

async fn send_code(
    url: &str,
    from: &str,
    to: &str,
    domain: &str,
    code: &str,
) -> Result<(), ApiError> {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let bad = |what: &str| ApiError::Unavailable(format!("cannot send the code: {what}"));
    let msg = Message::builder()
        .from(from.parse().map_err(|_| bad("the sender address is invalid (--mail-from)"))?)
        .to(to.parse().map_err(|_| ApiError::BadRequest("not a mailbox address".into()))?)
        .subject(format!("leakdex: your verification code for {domain}"))
        .body(format!(
            "Someone asked to prove that they control {domain} on a leakdex server.\n\n\
             Verification code: {code}\n\n\
             If that was not you or your team, ignore this message: nothing happens without the code.\n"
        ))
        .map_err(|_| bad("the message could not be built"))?;
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|_| bad("the relay URL is invalid (--smtp-url)"))?
        .timeout(Some(Duration::from_secs(20)))
        .build();
    mailer.send(msg).await.map_err(|e| {
        tracing::warn!(error = %e, "the SMTP relay refused a verification e-mail");
        bad("the mail relay did not accept it")
    })?;
    Ok(())
}

/// `POST /api/v1/domains/{domain}/verify/check`.
#[utoipa::path(post, path = "/api/v1/domains/{domain}/verify/check", tag = "verification",
    params(("domain" = String, Path, description = "The domain being proved")),
    request_body = CheckRequest,
    responses((status = 200, body = CheckResponse),
              (status = 400, description = "Bad domain or body, or no code", body = ErrorBody),
              (status = 401, description = "Missing or invalid key"),
              (status = 403, description = "The proof was not found or did not match"),
              (status = 404, description = "No open challenge (never started, expired or used)"),
              (status = 429, description = "Too many wrong attempts: start again", body = ErrorBody)),
    security(("hibp-api-key" = [])))]
pub(crate) async fn check(
    State(state): State<AppState>,
    Authed(key): Authed,
    PathArg(raw): PathArg<String>,
    JsonBody(req): JsonBody<CheckRequest>,
) -> Result<Json<CheckResponse>, ApiError> {
    Ok(Json(check_for(&state, &key, &raw, req).await?))
}

/// Completes `key`'s open challenge for the domain `raw`.
pub(crate) async fn check_for(
    state: &AppState,
    key: &leakdex_index::ApiKey,
    raw: &str,
    req: CheckRequest,
) -> Result<CheckResponse, ApiError> {
    let domain = registrable(raw)?;
    let cfg = &state.0.config.verify;
    // Nothing leaves the server unless this key has a challenge open for the domain:
    // a key cannot make the server look up or fetch arbitrary domains.
    if !state
        .index()
        .has_open_challenge(key.id, &domain, req.method.as_str())
        .await?
    {
        return Err(no_challenge());
    }
    let proofs: Vec<String> = match req.method {
        Method::Email => match req.code {
            Some(c) if !c.trim().is_empty() && c.len() <= 64 => vec![c.trim().to_ascii_lowercase()],
            _ => {
                return Err(ApiError::BadRequest(
                    "give the code received as \"code\"".into(),
                ))
            }
        },
        Method::Dns => dns_proofs(cfg, &domain).await,
        Method::Http => http_proofs(cfg, &domain).await,
    };
    match state
        .index()
        .complete_challenge(key.id, &domain, req.method.as_str(), &proofs)
        .await?
    {
        Ok(()) => Ok(CheckResponse {
            domain,
            verified: true,
            method: req.method,
        }),
        Err(ChallengeError::NoChallenge) => Err(no_challenge()),
        Err(ChallengeError::TooManyAttempts) => Err(ApiError::RateLimited(1)),
        Err(ChallengeError::Mismatch) => Err(ApiError::Forbidden(match req.method {
            Method::Dns => {
                format!("no TXT record \"{TXT_PREFIX}…\" with the token was found on {domain}")
            }
            Method::Http => format!("the token was not found at {WELL_KNOWN} on {domain}"),
            Method::Email => "the code does not match".into(),
        })),
    }
}

fn no_challenge() -> ApiError {
    ApiError::NotFound(Some(
        "no open verification for this domain and method: start one (it may have expired or been used)".into(),
    ))
}

/// The tokens published in `leakdex-verification=` TXT records of `domain`.
async fn dns_proofs(cfg: &VerifyConfig, domain: &str) -> Vec<String> {
    use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
    use hickory_resolver::name_server::TokioConnectionProvider;
    use hickory_resolver::Resolver;
    let mut opts = ResolverOpts::default();
    opts.timeout = Duration::from_secs(5);
    opts.attempts = 2;
    // A fresh answer every time: a record just published must be seen.
    opts.cache_size = 0;
    let builder = match cfg.dns_server {
        Some(addr) => Resolver::builder_with_config(
            ResolverConfig::from_parts(
                None,
                vec![],
                NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true),
            ),
            TokioConnectionProvider::default(),
        ),
        None => match Resolver::builder_tokio() {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "no system DNS configuration");
                return Vec::new();
            }
        },
    };
    let resolver = builder.with_options(opts).build();
    let name = format!("{domain}.");
    match resolver.txt_lookup(name).await {
        Ok(txt) => txt
            .iter()
            .filter_map(|r| {
                let s: Vec<u8> = r
                    .txt_data()
                    .iter()
                    .flat_map(|part| part.iter().copied())
                    .collect();
                String::from_utf8(s).ok()
            })
            .filter_map(|s| s.trim().strip_prefix(TXT_PREFIX).map(str::to_string))
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "TXT lookup failed");
            Vec::new()
        }
    }
}

/// The lines of `/.well-known/leakdex-verification.txt` on `domain` (at most 4 KiB).
async fn http_proofs(cfg: &VerifyConfig, domain: &str) -> Vec<String> {
    let port = cfg
        .http_port
        .unwrap_or(if cfg.http_scheme == "http" { 80 } else { 443 });
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent("leakdex-verifier");
    if let Some(ip) = cfg.http_connect {
        builder = builder.resolve(domain, std::net::SocketAddr::new(ip, port));
    }
    let Ok(client) = builder.build() else {
        return Vec::new();
    };
    let url = format!("{}://{domain}:{port}{WELL_KNOWN}", cfg.http_scheme);
    let resp = match client.get(&url).send().await {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            tracing::debug!(status = %r.status(), "well-known file not served");
            return Vec::new();
        }
        Err(e) => {
            tracing::debug!(error = %e, "well-known file fetch failed");
            return Vec::new();
        }
    };
    let mut body = Vec::new();
    let mut resp = resp;
    while let Ok(Some(chunk)) = resp.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > 4096 {
            break;
        }
    }
    body.truncate(4096);
    String::from_utf8_lossy(&body)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}
