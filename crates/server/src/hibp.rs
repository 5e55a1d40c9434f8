//! HIBP API v3 under `/api/v3`: the same paths, parameters, field names, date formats and
//! status codes as haveibeenpwned.com (real responses in shared/hibp-v3/), so existing
//! clients work by changing only their base URL.

use crate::auth::Authed;
use crate::error::{ApiError, ErrorBody, PathArg, QueryArgs};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use leakdex_index::Breach as Stored;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// A breach, exactly as HIBP v3 describes one (field order and casing included).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Breach {
    /// Stable name, used in URLs.
    #[schema(example = "ContosoCrm")]
    pub name: String,
    /// Title for people.
    pub title: String,
    /// Domain of the breached service or organisation (may be empty).
    pub domain: String,
    /// `YYYY-MM-DD`.
    #[schema(example = "2024-03-01")]
    pub breach_date: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    #[schema(example = "2024-03-04T10:00:00Z")]
    pub added_date: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub modified_date: String,
    /// Unique e-mail addresses.
    pub pwn_count: u64,
    /// HTML description.
    pub description: String,
    /// Logo URL.
    pub logo_path: String,
    /// HIBP data classes.
    pub data_classes: Vec<String>,
    /// Whether the breach is verified.
    pub is_verified: bool,
    /// Whether it is fabricated.
    pub is_fabricated: bool,
    /// Sensitive: never returned by account searches.
    pub is_sensitive: bool,
    /// Retired: never returned by account searches.
    pub is_retired: bool,
    /// A spam list.
    pub is_spam_list: bool,
    /// From malware.
    pub is_malware: bool,
    /// Searchable without a subscription.
    pub is_subscription_free: bool,
    /// A stealer log.
    pub is_stealer_log: bool,
}

impl From<Stored> for Breach {
    fn from(b: Stored) -> Breach {
        Breach {
            name: b.name,
            title: b.title,
            domain: b.domain,
            breach_date: b.breach_date,
            added_date: b.added_date,
            modified_date: b.modified_date,
            pwn_count: b.pwn_count,
            description: b.description,
            logo_path: b.logo_path,
            data_classes: b.data_classes,
            is_verified: b.is_verified,
            is_fabricated: b.is_fabricated,
            is_sensitive: b.is_sensitive,
            is_retired: b.is_retired,
            is_spam_list: b.is_spam_list,
            is_malware: b.is_malware,
            is_subscription_free: b.is_subscription_free,
            is_stealer_log: b.is_stealer_log,
        }
    }
}

/// A breach name only (`truncateResponse=true`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreachName {
    /// Breach name.
    #[serde(rename = "Name")]
    pub name: String,
}

/// An account's breaches: names only (`truncateResponse=true`, the default) or in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AccountBreaches {
    /// `[{"Name": …}]`.
    Names(Vec<BreachName>),
    /// Full breaches (`truncateResponse=false`).
    Full(Vec<Breach>),
}

/// One entry of a k-anonymity range answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RangeEntry {
    /// The SHA-1 of the address without the 6 characters of the prefix (upper-case hex).
    #[serde(rename = "hashSuffix")]
    pub hash_suffix: String,
    /// The names of the breaches it is in.
    pub websites: Vec<String>,
}

/// A domain the key has verified, as HIBP's `/subscribeddomains` lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SubscribedDomain {
    /// The domain.
    pub domain_name: String,
    /// Unique breached addresses at it.
    pub pwn_count: u64,
    /// The same, spam lists left out.
    pub pwn_count_excluding_spam_lists: Option<u64>,
    /// The same, at the last renewal.
    pub pwn_count_excluding_spam_lists_at_last_subscription_renewal: Option<u64>,
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub next_subscription_renewal: String,
}

/// The key's subscription, as HIBP's `/subscription/status`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SubscriptionStatus {
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub subscribed_until: String,
    /// The plan's name.
    pub subscription_name: String,
    /// What it allows.
    pub description: String,
    /// Largest domain answered (leakdex has no cap: the largest 32-bit value).
    pub domain_search_max_breached_accounts: u32,
    /// Requests per minute.
    pub rpm: u32,
}

/// Query parameters are matched without regard to case (`Domain` and `domain`), as HIBP.
fn param<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    q.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn flag(q: &HashMap<String, String>, name: &str, default: bool) -> Result<bool, ApiError> {
    match param(q, name) {
        None => Ok(default),
        Some(v) if v.eq_ignore_ascii_case("true") || v == "1" => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") || v == "0" => Ok(false),
        Some(_) => Err(ApiError::BadRequest(format!(
            "{name} must be true or false"
        ))),
    }
}

/// `GET /api/v3/breaches`: every breach in the catalogue, by name.
#[utoipa::path(get, path = "/api/v3/breaches", tag = "hibp",
    params(("Domain" = Option<String>, Query, description = "Only breaches of this domain"),
           ("IsSpamList" = Option<bool>, Query, description = "Only (or no) spam lists")),
    responses((status = 200, body = [Breach]), (status = 400, description = "IsSpamList is not true or false", body = ErrorBody)))]
pub(crate) async fn breaches(
    State(state): State<AppState>,
    QueryArgs(q): QueryArgs<HashMap<String, String>>,
) -> Result<Json<Vec<Breach>>, ApiError> {
    let domain = param(&q, "domain").map(str::to_ascii_lowercase);
    let spam = match param(&q, "IsSpamList") {
        Some(_) => Some(flag(&q, "IsSpamList", false)?),
        None => None,
    };
    let all = state.index().breaches().await?;
    Ok(Json(
        all.into_iter()
            .filter(|b| {
                domain
                    .as_ref()
                    .is_none_or(|d| b.domain.eq_ignore_ascii_case(d))
            })
            .filter(|b| spam.is_none_or(|s| b.is_spam_list == s))
            .map(Breach::from)
            .collect(),
    ))
}

/// `GET /api/v3/breach/{name}`: one breach.
#[utoipa::path(get, path = "/api/v3/breach/{name}", tag = "hibp",
    params(("name" = String, Path, description = "Breach name")),
    responses((status = 200, body = Breach), (status = 404, description = "No such breach")))]
pub(crate) async fn breach(
    State(state): State<AppState>,
    PathArg(name): PathArg<String>,
) -> Result<Json<Breach>, ApiError> {
    let b = state
        .index()
        .breach(&name)
        .await?
        .ok_or(ApiError::NotFound(None))?;
    Ok(Json(b.into()))
}

/// `GET /api/v3/latestbreach`: the most recently added breach.
#[utoipa::path(get, path = "/api/v3/latestbreach", tag = "hibp",
    responses((status = 200, body = Breach), (status = 404, description = "The catalogue is empty")))]
pub(crate) async fn latest_breach(State(state): State<AppState>) -> Result<Json<Breach>, ApiError> {
    let all = state.index().breaches().await?;
    let latest = all
        .into_iter()
        .max_by(|a, b| a.added_date.cmp(&b.added_date).then(a.name.cmp(&b.name)))
        .ok_or(ApiError::NotFound(None))?;
    Ok(Json(latest.into()))
}

/// HIBP's data-class vocabulary (shared/hibp-v3/dataclasses.txt).
const HIBP_CLASSES: &str = include_str!("../data/hibp-dataclasses.json");

/// `GET /api/v3/dataclasses`: the data-class vocabulary.
#[utoipa::path(get, path = "/api/v3/dataclasses", tag = "hibp",
    responses((status = 200, body = [String])))]
pub(crate) async fn data_classes(
    State(state): State<AppState>,
) -> Result<Json<Vec<String>>, ApiError> {
    let mut classes: Vec<String> = serde_json::from_str(HIBP_CLASSES)
        .map_err(|e| ApiError::Internal(format!("embedded data classes: {e}")))?;
    // Our own classes, where HIBP has none, appear once a breach uses them.
    for b in state.index().breaches().await? {
        for c in b.data_classes {
            if !classes.contains(&c) {
                classes.push(c);
            }
        }
    }
    classes.sort_by_key(|c| c.to_lowercase());
    Ok(Json(classes))
}

/// The lower-cased address of a path parameter, or 400. Any syntactically plausible
/// address is accepted (one in no breach is a 404, as HIBP), whatever its domain.
fn account(raw: &str) -> Result<String, ApiError> {
    let bad =
        || ApiError::BadRequest("the account does not comply with an acceptable format".into());
    let a = raw.trim();
    let (local, host) = a.rsplit_once('@').ok_or_else(bad)?;
    if a.len() > 320
        || local.is_empty()
        || host.is_empty()
        || a.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad());
    }
    Ok(a.to_lowercase())
}

/// `GET /api/v3/breachedaccount/{account}`: the breaches an address is in — never
/// sensitive or retired ones. 404 when none.
#[utoipa::path(get, path = "/api/v3/breachedaccount/{account}", tag = "hibp",
    params(("account" = String, Path, description = "E-mail address (URL-encoded)"),
           ("truncateResponse" = Option<bool>, Query, description = "Names only (default true)"),
           ("domain" = Option<String>, Query, description = "Only breaches of this domain"),
           ("IncludeUnverified" = Option<bool>, Query, description = "Include unverified breaches (default true)")),
    responses((status = 200, description = "Breaches: `[{\"Name\":…}]`, or full Breach objects with truncateResponse=false", body = AccountBreaches),
              (status = 400, description = "Not an address"), (status = 401, description = "Missing or invalid key"),
              (status = 404, description = "In no breach")),
    security(("hibp-api-key" = [])))]
pub(crate) async fn breached_account(
    State(state): State<AppState>,
    _key: Authed,
    PathArg(raw): PathArg<String>,
    QueryArgs(q): QueryArgs<HashMap<String, String>>,
) -> Result<Json<AccountBreaches>, ApiError> {
    let email = account(&raw)?;
    let truncate = flag(&q, "truncateResponse", true)?;
    let unverified = flag(&q, "IncludeUnverified", true)?;
    let domain = param(&q, "domain").map(str::to_ascii_lowercase);
    let found: Vec<Breach> = state
        .index()
        .account_breaches(&email, false)
        .await?
        .into_iter()
        .filter(|b| unverified || b.is_verified)
        .filter(|b| {
            domain
                .as_ref()
                .is_none_or(|d| b.domain.eq_ignore_ascii_case(d))
        })
        .map(Breach::from)
        .collect();
    if found.is_empty() {
        return Err(ApiError::NotFound(None));
    }
    Ok(Json(if truncate {
        AccountBreaches::Names(
            found
                .into_iter()
                .map(|b| BreachName { name: b.name })
                .collect(),
        )
    } else {
        AccountBreaches::Full(found)
    }))
}

/// The k-anonymity lookup behind both range routes: the JSON answer, from the in-memory
/// snapshot (or the database for an index too big for it).
pub(crate) async fn range_answer(
    state: &AppState,
    prefix: &str,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    if prefix.len() != 6 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::BadRequest(
            "the range must be the first 6 hexadecimal characters of the SHA-1 of the lower-cased address".into(),
        ));
    }
    let body = match state.0.range.lookup_json(state.index(), prefix).await? {
        Some(json) => json,
        None => {
            let entries: Vec<RangeEntry> = state
                .index()
                .range(prefix)
                .await?
                .into_iter()
                .map(|(hash_suffix, websites)| RangeEntry {
                    hash_suffix,
                    websites,
                })
                .collect();
            serde_json::to_string(&entries).map_err(|e| ApiError::Internal(e.to_string()))?
        }
    };
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// `GET /api/v3/breachedaccount/range/{prefix}`: the addresses whose SHA-1 starts with
/// the prefix, as suffixes with their breaches; the server never learns the address.
#[utoipa::path(get, path = "/api/v3/breachedaccount/range/{prefix}", tag = "hibp",
    params(("prefix" = String, Path, description = "First 6 hex characters of SHA-1(lower-cased address)")),
    responses((status = 200, body = [RangeEntry]), (status = 400, description = "Not 6 hex characters"),
              (status = 401, description = "Missing or invalid key")),
    security(("hibp-api-key" = [])))]
pub(crate) async fn breached_range(
    State(state): State<AppState>,
    _key: Authed,
    PathArg(prefix): PathArg<String>,
) -> Result<axum::response::Response, ApiError> {
    range_answer(&state, &prefix).await
}

/// A host name from a request, lower-cased and checked: 1–253 characters, labels of
/// 1–63 letters, digits or hyphens, none starting or ending with a hyphen.
pub(crate) fn hostname(raw: &str) -> Result<String, ApiError> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(d)
    } else {
        Err(ApiError::BadRequest("not a domain name".into()))
    }
}

/// A domain from a path parameter: a checked host name that is a registrable domain.
pub(crate) fn registrable(raw: &str) -> Result<String, ApiError> {
    let d = hostname(raw)?;
    match leakdex_core::registrable_domain(&d) {
        Some(r) if r == d => Ok(d),
        Some(r) => Err(ApiError::BadRequest(format!(
            "give the registrable domain ({r}); its subdomains are included"
        ))),
        None => Err(ApiError::BadRequest("not a domain name".into())),
    }
}

/// `GET /api/v3/breacheddomain/{domain}`: for a domain the key has verified, each address
/// (by alias) with its breaches — sensitive ones included. 403 otherwise.
#[utoipa::path(get, path = "/api/v3/breacheddomain/{domain}", tag = "hibp",
    params(("domain" = String, Path, description = "A domain this key has verified")),
    responses((status = 200, description = "`{\"alias\": [\"BreachName\", …]}`", body = BTreeMap<String, Vec<String>>),
              (status = 400, description = "Not a registrable domain", body = ErrorBody),
              (status = 401, description = "Missing or invalid key"), (status = 403, description = "Domain not verified by this key")),
    security(("hibp-api-key" = [])))]
pub(crate) async fn breached_domain(
    State(state): State<AppState>,
    Authed(key): Authed,
    PathArg(raw): PathArg<String>,
) -> Result<Json<BTreeMap<String, Vec<String>>>, ApiError> {
    let domain = registrable(&raw)?;
    if !state.index().is_verified(key.id, &domain).await? {
        return Err(ApiError::Unverified);
    }
    state
        .index()
        .audit(&key, &domain, "GET /api/v3/breacheddomain")
        .await?;
    Ok(Json(state.index().breached_domain(&domain).await?))
}

/// One year after an RFC 3339 time, without the zone (HIBP's renewal format).
fn plus_year(t: &str) -> String {
    let t = t.trim_end_matches('Z');
    match t.get(..4).and_then(|y| y.parse::<u32>().ok()) {
        Some(y) => format!("{}{}", y + 1, t.get(4..).unwrap_or_default()),
        None => t.to_string(),
    }
}

/// `GET /api/v3/subscribeddomains`: the domains this key has verified.
#[utoipa::path(get, path = "/api/v3/subscribeddomains", tag = "hibp",
    responses((status = 200, body = [SubscribedDomain]), (status = 401, description = "Missing or invalid key")),
    security(("hibp-api-key" = [])))]
pub(crate) async fn subscribed_domains(
    State(state): State<AppState>,
    Authed(key): Authed,
) -> Result<Json<Vec<SubscribedDomain>>, ApiError> {
    let mut out = Vec::new();
    for d in state.index().verified_domains(key.id).await? {
        let (all, no_spam) = state.index().domain_pwn_count(&d.domain).await?;
        out.push(SubscribedDomain {
            domain_name: d.domain,
            pwn_count: all,
            pwn_count_excluding_spam_lists: Some(no_spam),
            pwn_count_excluding_spam_lists_at_last_subscription_renewal: Some(no_spam),
            next_subscription_renewal: plus_year(&key.created),
        });
    }
    Ok(Json(out))
}

/// `GET /api/v3/subscription/status`: this key's plan.
#[utoipa::path(get, path = "/api/v3/subscription/status", tag = "hibp",
    responses((status = 200, body = SubscriptionStatus), (status = 401, description = "Missing or invalid key")),
    security(("hibp-api-key" = [])))]
pub(crate) async fn subscription_status(Authed(key): Authed) -> Json<SubscriptionStatus> {
    Json(SubscriptionStatus {
        subscribed_until: plus_year(&key.created),
        subscription_name: format!("leakdex key {}", key.label),
        description: format!(
            "Searches of verified domains without a size cap, and an API key allowing {} requests per minute",
            key.rpm
        ),
        domain_search_max_breached_accounts: u32::MAX,
        rpm: key.rpm,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn renewal_format() {
        assert_eq!(
            super::plus_year("2024-03-07T12:30:38Z"),
            "2025-03-07T12:30:38"
        );
    }
}
