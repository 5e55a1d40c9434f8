//! One error type for every handler: what went wrong, mapped to an HTTP status and an
//! HIBP-style body (`{"statusCode": 401, "message": "…"}`). Engine failures become a
//! 500 that is logged here and never explained to the client.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The body of every error answer, as HIBP's: `{"statusCode": 401, "message": "…"}`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The HTTP status.
    pub status_code: u16,
    /// What went wrong, for people.
    pub message: String,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed input (400).
    #[error("{0}")]
    BadRequest(String),
    /// No `hibp-api-key` header (401).
    #[error("Access denied due to missing hibp-api-key.")]
    MissingKey,
    /// A key that is unknown or revoked (401).
    #[error("Access denied due to invalid hibp-api-key.")]
    InvalidKey,
    /// No user agent (403), as HIBP.
    #[error(
        "Forbidden: every request must carry a User-Agent header naming the consuming application."
    )]
    MissingUserAgent,
    /// The key has not verified this domain (403).
    #[error("Forbidden: this API key has not verified the domain. Verify it first (POST /api/v1/domains/{{domain}}/verify/start).")]
    Unverified,
    /// Refused for another reason (403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing there (404). `None`: an empty body, as HIBP answers.
    #[error("not found")]
    NotFound(Option<String>),
    /// The request body is over the limit (413).
    #[error("The request body is too large.")]
    TooLarge,
    /// Too many requests; retry after this many seconds (429).
    #[error("Rate limit is exceeded. Try again in {0} seconds.")]
    RateLimited(u64),
    /// The engine failed (500, logged, not explained).
    #[error("internal error")]
    Internal(String),
    /// Something the server needs is unavailable (503), e.g. a mail relay.
    #[error("{0}")]
    Unavailable(String),
}

impl From<leakdex_index::Error> for ApiError {
    fn from(e: leakdex_index::Error) -> ApiError {
        match e {
            leakdex_index::Error::Invalid(m) => ApiError::BadRequest(m),
            leakdex_index::Error::NoBreach(_) => ApiError::NotFound(None),
            leakdex_index::Error::Forbidden(_) => ApiError::Unverified,
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::MissingKey | ApiError::InvalidKey => StatusCode::UNAUTHORIZED,
            ApiError::MissingUserAgent | ApiError::Unverified | ApiError::Forbidden(_) => {
                StatusCode::FORBIDDEN
            }
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::NotFound(None) => return status.into_response(),
            ApiError::NotFound(Some(m)) => m.clone(),
            ApiError::Internal(detail) => {
                // The detail may name tables or values: it goes to the log only.
                tracing::error!(error = %detail, "request failed");
                "Internal error. It has been logged.".to_string()
            }
            other => other.to_string(),
        };
        // HIBP's field order: statusCode, then message.
        let body = ErrorBody {
            status_code: status.as_u16(),
            message,
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if let ApiError::RateLimited(secs) = self {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            ApiError::BadRequest(r.body_text())
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        ApiError::BadRequest(r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        ApiError::BadRequest(r.body_text())
    }
}

/// `axum::Json` whose rejections (no body, wrong content type, bad JSON) are JSON 400s.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct JsonBody<T>(pub T);

/// `axum::extract::Path` whose rejections (e.g. bad UTF-8) are JSON 400s.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct PathArg<T>(pub T);

/// `axum::extract::Query` whose rejections are JSON 400s.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct QueryArgs<T>(pub T);
