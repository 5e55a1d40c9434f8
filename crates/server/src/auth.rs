//! Who is asking: the `hibp-api-key` header (or `Authorization: Bearer`), the user agent
//! HIBP requires, and the per-IP limit on key-less endpoints.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use leakdex_index::ApiKey;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// A request made with a valid API key that is within its rate limit.
#[derive(Debug, Clone)]
pub struct Authed(pub ApiKey);

/// The key a request presents, if any.
pub(crate) fn presented_key(parts: &Parts) -> Option<&str> {
    if let Some(v) = parts.headers.get("hibp-api-key") {
        return v.to_str().ok().map(str::trim);
    }
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Authed, ApiError> {
        let presented = presented_key(parts).ok_or(ApiError::MissingKey)?;
        if presented.is_empty() {
            return Err(ApiError::MissingKey);
        }
        let key = state.key(presented).await?.ok_or(ApiError::InvalidKey)?;
        state.0.limits.check_key(key.id, key.rpm).map_err(|wait| {
            state.0.metrics.rate_limited("key");
            ApiError::RateLimited(wait)
        })?;
        Ok(Authed(key))
    }
}

/// HIBP refuses requests without a user agent (403).
pub(crate) async fn require_user_agent(req: Request, next: Next) -> Result<Response, ApiError> {
    let ok = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.trim().is_empty());
    if !ok {
        return Err(ApiError::MissingUserAgent);
    }
    Ok(next.run(req).await)
}

/// The client's address: the socket peer (or the `MockConnectInfo` of tests that drive
/// the router directly); `0.0.0.0` when there is none.
pub(crate) fn client_ip(req: &Request) -> IpAddr {
    let ext = req.extensions();
    ext.get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .or_else(|| ext.get::<MockConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The per-IP token bucket of the key-less endpoints.
pub(crate) async fn limit_ip(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let ip = client_ip(&req);
    state.0.limits.check_ip(ip).map_err(|wait| {
        state.0.metrics.rate_limited("ip");
        ApiError::RateLimited(wait)
    })?;
    Ok(next.run(req).await)
}
