//! `/openapi.json`: OpenAPI 3 generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "leakdex", description = "HIBP API v3-compatible breach search (`/api/v3`) and the leakdex native API (`/api/v1`). Every /api/v3 request needs a User-Agent header."),
    paths(
        crate::hibp::breaches,
        crate::hibp::breach,
        crate::hibp::latest_breach,
        crate::hibp::data_classes,
        crate::hibp::breached_account,
        crate::hibp::breached_range,
        crate::hibp::breached_domain,
        crate::hibp::subscribed_domains,
        crate::hibp::subscription_status,
        crate::native::domain_summary,
        crate::native::organizations,
        crate::native::breach_counts,
        crate::native::domain_addresses,
        crate::native::range,
        crate::verify::start,
        crate::verify::check,
    ),
    modifiers(&KeyScheme),
    tags((name = "hibp", description = "HIBP API v3, field for field"),
         (name = "native", description = "Counts, organisations and verified-domain data"),
         (name = "verification", description = "Proving control of a domain"))
)]
struct ApiDoc;

struct KeyScheme;

impl Modify for KeyScheme {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = api.components.as_mut() {
            c.add_security_scheme(
                "hibp-api-key",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("hibp-api-key"))),
            );
        }
    }
}

/// The service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub(crate) async fn handler() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
