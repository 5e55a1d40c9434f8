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
        crate::subscribe::list,
        crate::subscribe::create,
        crate::subscribe::remove,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&KeyScheme, &CommonResponses),
    tags((name = "hibp", description = "HIBP API v3, field for field"),
         (name = "native", description = "Counts, organisations and verified-domain data"),
         (name = "verification", description = "Proving control of a domain"),
         (name = "alerts", description = "Alerts of later breaches naming a verified domain"))
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

/// Answers any route may give: 400 for a malformed path, 429 over a rate limit (with
/// `Retry-After`), and on `/api/v3` 403 without a User-Agent.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::Header;
        use utoipa::openapi::{ContentBuilder, Object, Ref, ResponseBuilder, Type};
        let err = |d: &str| {
            ResponseBuilder::new().description(d).content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
        };
        for (path, item) in api.paths.paths.iter_mut() {
            for op in [&mut item.get, &mut item.post, &mut item.delete]
                .into_iter()
                .flatten()
            {
                let r = &mut op.responses.responses;
                r.entry("400".into())
                    .or_insert_with(|| err("Malformed request").build().into());
                r.entry("429".into()).or_insert_with(|| {
                    err("Over the key's rate limit (or, without a key, the client IP's)")
                        .header("Retry-After", Header::new(Object::with_type(Type::Integer)))
                        .build()
                        .into()
                });
                if path.starts_with("/api/v3/") {
                    r.entry("403".into())
                        .or_insert_with(|| err("No User-Agent header").build().into());
                }
            }
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
