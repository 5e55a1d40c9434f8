//! The web UI: server-rendered pages (maud), two small assets served by the binary (no
//! CDN), and the verified owner's dashboard behind a session cookie.
//!
//! Sessions: signing in with an API key creates a random session id kept in memory
//! (a restart signs everyone out), sent as `leakdex_session` — HttpOnly, SameSite=Strict,
//! Secure when served over TLS. Every form of a signed-in page carries the session's
//! CSRF token, checked on each POST (403 otherwise).

mod charts;
pub(crate) mod pages;

use crate::error::ApiError;
use crate::state::AppState;
use crate::verify::{CheckRequest, Method, StartRequest};
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use leakdex_index::ApiKey;
use maud::Markup;
use pages::Notice;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const COOKIE: &str = "leakdex_session";

/// How long a session lasts without use.
const IDLE: Duration = Duration::from_secs(8 * 3600);

struct Session {
    key: ApiKey,
    csrf: String,
    seen: Instant,
}

/// Signed-in sessions by id.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    fn create(&self, key: ApiKey) -> String {
        let id = leakdex_index::random_hex(32);
        if let Ok(mut m) = self.0.lock() {
            m.retain(|_, s| s.seen.elapsed() < IDLE);
            m.insert(
                id.clone(),
                Session {
                    key,
                    csrf: leakdex_index::random_hex(16),
                    seen: Instant::now(),
                },
            );
        }
        id
    }

    fn get(&self, id: &str) -> Option<(ApiKey, String)> {
        let mut m = self.0.lock().ok()?;
        let s = m.get_mut(id)?;
        if s.seen.elapsed() >= IDLE {
            m.remove(id);
            return None;
        }
        s.seen = Instant::now();
        Some((s.key.clone(), s.csrf.clone()))
    }

    fn remove(&self, id: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(id);
        }
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/domains", get(domain_form))
        .route("/domains/{domain}", get(domain))
        .route("/search", get(search))
        .route("/breaches", get(breaches))
        .route("/breaches/{name}", get(breach))
        .route("/dashboard", get(dashboard))
        .route("/dashboard/signin", post(signin))
        .route("/dashboard/signout", post(signout))
        .route("/dashboard/verify/start", post(verify_start))
        .route("/dashboard/verify/check", post(verify_check))
        .route("/dashboard/subscriptions", post(subscribe))
        .route("/dashboard/subscriptions/remove", post(unsubscribe))
        .route("/dashboard/domains/{domain}", get(owner_domain))
        .route("/dashboard/domains/{domain}/addresses.csv", get(owner_csv))
        .route("/assets/app.css", get(css))
        .route("/assets/check.js", get(js))
}

/// A page answering an error: the error's status, a page explaining it.
fn page_error(e: ApiError) -> Response {
    let status = e.status();
    let message = match &e {
        ApiError::Internal(detail) => {
            tracing::error!(error = %detail, "page failed");
            "Internal error. It has been logged.".to_string()
        }
        ApiError::NotFound(Some(m)) => m.clone(),
        ApiError::NotFound(None) => "There is nothing here.".to_string(),
        other => other.to_string(),
    };
    (status, pages::error(status.as_u16(), &message)).into_response()
}

fn html(m: Markup) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], m).into_response()
}

async fn home() -> Response {
    html(pages::home())
}

#[derive(Deserialize)]
struct DomainQuery {
    d: Option<String>,
}

/// `/domains?d=…` (the home page's form) → `/domains/{d}`.
async fn domain_form(Query(q): Query<DomainQuery>) -> Response {
    match q.d.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => match crate::hibp::hostname(d) {
            Ok(d) => Redirect::to(&format!("/domains/{d}")).into_response(),
            Err(e) => page_error(e),
        },
        _ => Redirect::to("/").into_response(),
    }
}

async fn domain(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    match crate::native::summary(&state, &raw).await {
        Ok(s) => html(pages::domain(&s)),
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn search(State(state): State<AppState>, Query(q): Query<SearchQuery>) -> Response {
    let q = q.q.unwrap_or_default();
    if q.trim().is_empty() {
        return html(pages::search("", Ok(&[])));
    }
    match crate::native::orgs(&state, &q).await {
        Ok(orgs) => html(pages::search(&q, Ok(&orgs))),
        Err(ApiError::BadRequest(m)) => {
            (StatusCode::BAD_REQUEST, pages::search(&q, Err(&m))).into_response()
        }
        Err(e) => page_error(e),
    }
}

async fn breaches(State(state): State<AppState>) -> Response {
    match state.index().breaches().await {
        Ok(list) => {
            let list: Vec<crate::hibp::Breach> = list.into_iter().map(Into::into).collect();
            html(pages::breaches(&list))
        }
        Err(e) => page_error(e.into()),
    }
}

async fn breach(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let counts = match crate::native::counts(&state, &name).await {
        Ok(c) => c,
        Err(e) => return page_error(e),
    };
    // Organisation domains by country (never for a sensitive breach, whose
    // organisations are not shown).
    let mut countries = Vec::new();
    if !counts.breach.is_sensitive {
        let id = match state.index().breach_id(&name).await {
            Ok(Some(id)) => id,
            Ok(None) => return page_error(ApiError::NotFound(None)),
            Err(e) => return page_error(e.into()),
        };
        match state.index().domains_by_country(id).await {
            Ok(c) => countries = c,
            Err(e) => return page_error(e.into()),
        }
    }
    countries.truncate(15);
    html(pages::breach(&counts, &countries))
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The signed-in session of a request: (key, CSRF token, session id).
fn session(state: &AppState, headers: &HeaderMap) -> Option<(ApiKey, String, String)> {
    let id = cookie_value(headers, COOKIE)?;
    let (key, csrf) = state.0.sessions.get(id)?;
    Some((key, csrf, id.to_string()))
}

async fn render_dashboard(
    state: &AppState,
    key: &ApiKey,
    csrf: &str,
    notice: Notice<'_>,
) -> Response {
    let loaded = async {
        let domains = state.index().verified_domains(key.id).await?;
        let subs = state.index().subscriptions(Some(key.id)).await?;
        Ok::<_, leakdex_index::Error>((domains, subs))
    };
    match loaded.await {
        Ok((domains, subs)) => html(pages::dashboard(&key.label, &domains, &subs, csrf, notice)),
        Err(e) => page_error(e.into()),
    }
}

async fn dashboard(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session(&state, &headers) {
        Some((key, csrf, _)) => render_dashboard(&state, &key, &csrf, Notice::None).await,
        None => html(pages::signin(None)),
    }
}

#[derive(Deserialize)]
struct SigninForm {
    key: String,
}

async fn signin(State(state): State<AppState>, Form(f): Form<SigninForm>) -> Response {
    let key = match state.key(f.key.trim()).await {
        Ok(Some(k)) => k,
        Ok(None) => {
            return (
                StatusCode::UNAUTHORIZED,
                pages::signin(Some("That key is not valid (or was revoked).")),
            )
                .into_response()
        }
        Err(e) => return page_error(e.into()),
    };
    if let Err(wait) = state.0.limits.check_key(key.id, key.rpm) {
        return page_error(ApiError::RateLimited(wait));
    }
    let id = state.0.sessions.create(key);
    let secure = if state.0.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}");
    let mut resp = Redirect::to("/dashboard").into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// A form body's fields (a body that is not a form has none, so the CSRF check refuses
/// it before anything else is looked at).
fn fields(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn field<'a>(f: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    f.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

fn method_of(f: &HashMap<String, String>) -> Result<Method, ApiError> {
    match field(f, "method") {
        Some("dns") => Ok(Method::Dns),
        Some("email") => Ok(Method::Email),
        Some("http") => Ok(Method::Http),
        _ => Err(ApiError::BadRequest(
            "choose a method: dns, email or http".into(),
        )),
    }
}

/// A signed-in form POST: its fields, key and CSRF token — or the response refusing it
/// (no session, or the CSRF token missing or wrong).
#[allow(clippy::result_large_err)]
fn signed_form(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(HashMap<String, String>, ApiKey, String, String), Response> {
    let f = fields(body);
    let (key, csrf, id) = checked(state, headers, field(&f, "csrf"))?;
    Ok((f, key, csrf, id))
}

/// The session of a form POST whose CSRF token matches, or the response refusing it.
// The error is the response itself, returned as is: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn checked(
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Result<(ApiKey, String, String), Response> {
    let Some((key, token, id)) = session(state, headers) else {
        return Err(Redirect::to("/dashboard").into_response());
    };
    if csrf != Some(token.as_str()) {
        return Err(page_error(ApiError::Forbidden(
            "This form is stale or did not come from this site (CSRF check). Reload the page and try again.".into(),
        )));
    }
    if let Err(wait) = state.0.limits.check_key(key.id, key.rpm) {
        return Err(page_error(ApiError::RateLimited(wait)));
    }
    Ok((key, token, id))
}

async fn signout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match signed_form(&state, &headers, &body) {
        Ok((_, _, _, id)) => {
            state.0.sessions.remove(&id);
            let mut resp = Redirect::to("/dashboard").into_response();
            let gone = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
            if let Ok(v) = HeaderValue::from_str(&gone) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(r) => r,
    }
}

async fn verify_start(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (f, key, csrf, _) = match signed_form(&state, &headers, &body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let domain = field(&f, "domain").unwrap_or_default();
    let started = match method_of(&f) {
        Ok(method) => {
            let req = StartRequest {
                method,
                mailbox: field(&f, "mailbox").map(str::to_string),
            };
            crate::verify::start_for(&state, &key, domain, &req).await
        }
        Err(e) => Err(e),
    };
    match started {
        Ok(started) => render_dashboard(&state, &key, &csrf, Notice::Started(&started)).await,
        Err(e @ (ApiError::BadRequest(_) | ApiError::Unavailable(_))) => {
            let m = e.to_string();
            render_dashboard(&state, &key, &csrf, Notice::Failed(&m)).await
        }
        Err(e) => page_error(e),
    }
}

async fn verify_check(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (f, key, csrf, _) = match signed_form(&state, &headers, &body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let domain = field(&f, "domain").unwrap_or_default();
    let checked_ = match method_of(&f) {
        Ok(method) => {
            let req = CheckRequest {
                method,
                code: field(&f, "code").map(str::to_string),
            };
            crate::verify::check_for(&state, &key, domain, req).await
        }
        Err(e) => Err(e),
    };
    match checked_ {
        Ok(done) => {
            let m = format!(
                "{} is verified: its addresses are yours to see.",
                done.domain
            );
            render_dashboard(&state, &key, &csrf, Notice::Done(&m)).await
        }
        Err(
            e @ (ApiError::BadRequest(_)
            | ApiError::Forbidden(_)
            | ApiError::NotFound(_)
            | ApiError::RateLimited(_)),
        ) => {
            let m = match &e {
                ApiError::NotFound(Some(m)) => m.clone(),
                ApiError::RateLimited(_) => "Too many wrong attempts: start again.".to_string(),
                other => other.to_string(),
            };
            render_dashboard(&state, &key, &csrf, Notice::Failed(&m)).await
        }
        Err(e) => page_error(e),
    }
}

async fn subscribe(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (f, key, csrf, _) = match signed_form(&state, &headers, &body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let req = crate::subscribe::SubscribeRequest {
        domain: field(&f, "domain").unwrap_or_default().to_string(),
        webhook_url: field(&f, "webhook").map(str::to_string),
        emails: field(&f, "emails")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect(),
        include_addresses: field(&f, "addresses").is_some(),
    };
    match crate::subscribe::create_for(&state, &key, req).await {
        Ok(sub) => render_dashboard(&state, &key, &csrf, Notice::Subscribed(&sub)).await,
        Err(e @ (ApiError::BadRequest(_) | ApiError::Unverified)) => {
            let m = e.to_string();
            render_dashboard(&state, &key, &csrf, Notice::Failed(&m)).await
        }
        Err(e) => page_error(e),
    }
}

async fn unsubscribe(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (f, key, csrf, _) = match signed_form(&state, &headers, &body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(id) = field(&f, "id").and_then(|v| v.parse::<i64>().ok()) else {
        return page_error(ApiError::BadRequest("no subscription id".into()));
    };
    match crate::subscribe::remove_for(&state, &key, id).await {
        Ok(()) => render_dashboard(&state, &key, &csrf, Notice::Done("Alerts removed.")).await,
        Err(ApiError::NotFound(_)) => {
            render_dashboard(&state, &key, &csrf, Notice::Failed("No such subscription.")).await
        }
        Err(e) => page_error(e),
    }
}

#[allow(clippy::result_large_err)]
async fn owner_rows(
    state: &AppState,
    headers: &HeaderMap,
    raw: &str,
    action: &str,
) -> Result<(String, Vec<crate::native::Address>), Response> {
    let Some((key, _, _)) = session(state, headers) else {
        return Err(Redirect::to("/dashboard").into_response());
    };
    if let Err(wait) = state.0.limits.check_key(key.id, key.rpm) {
        return Err(page_error(ApiError::RateLimited(wait)));
    }
    let domain = crate::hibp::registrable(raw).map_err(page_error)?;
    let rows = crate::native::addresses(state, &key, &domain, action)
        .await
        .map_err(page_error)?;
    Ok((domain, rows))
}

async fn owner_domain(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    match owner_rows(&state, &headers, &raw, "GET /dashboard/domains").await {
        Ok((domain, rows)) => html(pages::dashboard_domain(&domain, &rows)),
        Err(r) => r,
    }
}

async fn owner_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let (domain, rows) = match owner_rows(
        &state,
        &headers,
        &raw,
        "GET /dashboard/domains/addresses.csv",
    )
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    match crate::native::addresses_csv(&rows) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{domain}-addresses.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(e) => page_error(e),
    }
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/check.js"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cookies_are_parsed() {
        let mut h = axum::http::HeaderMap::new();
        h.insert("cookie", "a=1; leakdex_session=abc; b=2".parse().unwrap());
        assert_eq!(super::cookie_value(&h, "leakdex_session"), Some("abc"));
        assert_eq!(super::cookie_value(&h, "c"), None);
    }
}
