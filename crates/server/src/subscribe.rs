//! Alert subscriptions of verified domains: `GET|POST /api/v1/subscriptions`,
//! `DELETE /api/v1/subscriptions/{id}`. Delivery is in [`crate::alerts`].

use crate::auth::Authed;
use crate::error::{ApiError, ErrorBody, JsonBody, PathArg};
use crate::hibp::registrable;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use leakdex_index::{NewSubscription, Subscription};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Body of `POST /api/v1/subscriptions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscribeRequest {
    /// A domain this key has verified.
    pub domain: String,
    /// Where to POST alerts (signed, Standard Webhooks).
    pub webhook_url: Option<String>,
    /// Mailboxes to e-mail alerts to (at most 20).
    #[serde(default)]
    pub emails: Vec<String>,
    /// List the domain's addresses found in each alert.
    #[serde(default)]
    pub include_addresses: bool,
}

/// A subscription; `secret` only in the answer that created it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionBody {
    /// Id.
    pub id: i64,
    /// The verified domain.
    pub domain: String,
    /// Webhook, if any.
    pub webhook_url: Option<String>,
    /// Mailboxes, if any.
    pub emails: Vec<String>,
    /// Whether alerts list addresses.
    pub include_addresses: bool,
    /// Created (RFC 3339).
    pub created: String,
    /// False once removed.
    pub active: bool,
    /// The webhook signing secret (`whsec_…`, Standard Webhooks): shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl SubscriptionBody {
    pub(crate) fn of(s: Subscription, secret: Option<String>) -> SubscriptionBody {
        SubscriptionBody {
            id: s.id,
            domain: s.domain,
            webhook_url: s.webhook_url,
            emails: s.emails,
            include_addresses: s.include_addresses,
            created: s.created,
            active: s.active,
            secret,
        }
    }
}

/// `GET /api/v1/subscriptions`: this key's subscriptions.
#[utoipa::path(get, path = "/api/v1/subscriptions", tag = "alerts",
    responses((status = 200, body = Vec<SubscriptionBody>), (status = 401, description = "Missing or invalid key")),
    security(("hibp-api-key" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Authed(key): Authed,
) -> Result<Json<Vec<SubscriptionBody>>, ApiError> {
    let subs = state.index().subscriptions(Some(key.id)).await?;
    Ok(Json(
        subs.into_iter()
            .map(|s| SubscriptionBody::of(s, None))
            .collect(),
    ))
}

/// `POST /api/v1/subscriptions`: alert a verified domain of every later breach naming it.
#[utoipa::path(post, path = "/api/v1/subscriptions", tag = "alerts",
    request_body = SubscribeRequest,
    responses((status = 201, body = SubscriptionBody, description = "Created; the secret is shown only here"),
              (status = 400, description = "Bad domain, URL or address", body = ErrorBody),
              (status = 401, description = "Missing or invalid key"),
              (status = 403, description = "Domain not verified by this key", body = ErrorBody)),
    security(("hibp-api-key" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    Authed(key): Authed,
    JsonBody(req): JsonBody<SubscribeRequest>,
) -> Result<(StatusCode, Json<SubscriptionBody>), ApiError> {
    let body = create_for(&state, &key, req).await?;
    Ok((StatusCode::CREATED, Json(body)))
}

/// Creates a subscription for `key` (API and dashboard).
pub(crate) async fn create_for(
    state: &AppState,
    key: &leakdex_index::ApiKey,
    req: SubscribeRequest,
) -> Result<SubscriptionBody, ApiError> {
    let domain = registrable(&req.domain)?;
    let webhook_url = req
        .webhook_url
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    let (sub, secret) = state
        .index()
        .create_subscription(&NewSubscription {
            key_id: key.id,
            domain: domain.clone(),
            webhook_url,
            emails: req.emails,
            include_addresses: req.include_addresses,
        })
        .await?;
    state.index().audit(key, &domain, "subscribe").await?;
    Ok(SubscriptionBody::of(sub, Some(secret)))
}

/// `DELETE /api/v1/subscriptions/{id}`: stop alerts (what was not sent yet is cancelled).
#[utoipa::path(delete, path = "/api/v1/subscriptions/{id}", tag = "alerts",
    params(("id" = i64, Path, description = "Subscription id")),
    responses((status = 204, description = "Removed"), (status = 401, description = "Missing or invalid key"),
              (status = 404, description = "No such active subscription of this key")),
    security(("hibp-api-key" = [])))]
pub(crate) async fn remove(
    State(state): State<AppState>,
    Authed(key): Authed,
    PathArg(id): PathArg<i64>,
) -> Result<StatusCode, ApiError> {
    remove_for(&state, &key, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes `key`'s subscription `id` (API and dashboard).
pub(crate) async fn remove_for(
    state: &AppState,
    key: &leakdex_index::ApiKey,
    id: i64,
) -> Result<(), ApiError> {
    let subs = state.index().subscriptions(Some(key.id)).await?;
    let Some(sub) = subs.into_iter().find(|s| s.id == id && s.active) else {
        return Err(ApiError::NotFound(Some(
            "no such active subscription of this key".into(),
        )));
    };
    state.index().remove_subscription(id, Some(key.id)).await?;
    state.index().audit(key, &sub.domain, "unsubscribe").await?;
    Ok(())
}
