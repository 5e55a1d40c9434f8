//! The leakdex search service: an HIBP API v3-compatible API under `/api/v3`, the native
//! API under `/api/v1`, domain verification, API keys with per-key and per-IP limits, an
//! audit log of verified-domain access, `/openapi.json`, `/metrics` and `/healthz`.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let index = leakdex_index::Index::open("sqlite://leakdex.db").await?;
//! let app = leakdex_server::router(leakdex_server::AppState::new(index, Default::default()));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod alerts;
mod auth;
mod error;
pub mod hibp;
mod limits;
mod metrics;
pub mod native;
mod openapi;
mod range;
mod serve;
mod state;
mod subscribe;
pub mod verify;
mod web;

pub use auth::Authed;
pub use error::ApiError;
pub use openapi::openapi;
pub use serve::{bind, default_threads, serve, Listeners, Tls};
pub use state::{AppState, Config, VerifyConfig};

use axum::routing::{delete, get, post};
use axum::{middleware, Router};
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// The whole service as a router (no socket: tests drive it directly).
pub fn router(state: AppState) -> Router {
    let cfg = state.0.config.clone();
    // Key-less endpoints: limited per client IP.
    let public_v3 = Router::new()
        .route("/breaches", get(hibp::breaches))
        .route("/breach/{name}", get(hibp::breach))
        .route("/latestbreach", get(hibp::latest_breach))
        .route("/dataclasses", get(hibp::data_classes))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::limit_ip,
        ));
    // Key endpoints: limited per key (in the `Authed` extractor).
    let keyed_v3 = Router::new()
        .route("/breachedaccount/{account}", get(hibp::breached_account))
        .route("/breachedaccount/range/{prefix}", get(hibp::breached_range))
        .route("/breacheddomain/{domain}", get(hibp::breached_domain))
        .route("/subscribeddomains", get(hibp::subscribed_domains))
        .route("/subscription/status", get(hibp::subscription_status));
    let v3 = public_v3
        .merge(keyed_v3)
        .layer(middleware::from_fn(auth::require_user_agent));
    let public_v1 = Router::new()
        .route("/domains/{domain}", get(native::domain_summary))
        .route("/organizations", get(native::organizations))
        .route("/breaches/{name}", get(native::breach_counts))
        .route("/range/{prefix}", get(native::range))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::limit_ip,
        ));
    let keyed_v1 = Router::new()
        .route("/domains/{domain}/addresses", get(native::domain_addresses))
        .route("/domains/{domain}/verify/start", post(verify::start))
        .route("/domains/{domain}/verify/check", post(verify::check))
        .route(
            "/subscriptions",
            get(subscribe::list).post(subscribe::create),
        )
        .route("/subscriptions/{id}", delete(subscribe::remove));
    Router::new()
        .nest("/api/v3", v3)
        .nest("/api/v1", public_v1.merge(keyed_v1))
        .route("/openapi.json", get(openapi::handler))
        .route("/metrics", get(metrics::metrics))
        .route("/healthz", get(healthz))
        .merge(web::routes())
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(RequestBodyLimitLayer::new(cfg.body_limit))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            cfg.request_timeout,
        ))
        .with_state(state)
}

async fn fallback() -> ApiError {
    ApiError::NotFound(Some("no such route: see /openapi.json".into()))
}

/// `GET /healthz`: 200 when the index answers.
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, ApiError> {
    tokio::time::timeout(Duration::from_secs(5), state.index().breaches())
        .await
        .map_err(|_| ApiError::Unavailable("the index does not answer".into()))??;
    Ok("ok\n")
}
