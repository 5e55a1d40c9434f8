//! `/metrics` in Prometheus text format, and the access log. Both name a request by its
//! route template (`/api/v3/breachedaccount/{account}`), never by a path or query that
//! could hold an address; only routes whose parameters are public (breach names, hash
//! prefixes) are logged with their path.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    n: u64,
}

/// Per route template: requests by (method, status), and the latency histogram.
#[derive(Default, Clone)]
struct RouteStats {
    requests: BTreeMap<(String, u16), u64>,
    latency: Histogram,
}

#[derive(Default)]
pub(crate) struct Metrics {
    // One lock per request, no allocation once a route has been seen: this sits on the
    // path of every range lookup.
    routes: Mutex<std::collections::HashMap<String, RouteStats>>,
    limited: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    pub(crate) fn rate_limited(&self, by: &'static str) {
        if let Ok(mut m) = self.limited.lock() {
            *m.entry(by).or_insert(0) += 1;
        }
    }

    fn record(&self, method: &axum::http::Method, route: &str, status: u16, secs: f64) {
        let Ok(mut m) = self.routes.lock() else {
            return;
        };
        let stats = match m.get_mut(route) {
            Some(s) => s,
            None => m.entry(route.to_string()).or_default(),
        };
        match stats
            .requests
            .iter_mut()
            .find(|((me, st), _)| *st == status && me == method.as_str())
        {
            Some((_, n)) => *n += 1,
            None => {
                stats
                    .requests
                    .insert((method.as_str().to_string(), status), 1);
            }
        }
        let h = &mut stats.latency;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.n += 1;
    }

    /// The Prometheus exposition text.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP leakdex_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE leakdex_http_requests_total counter\n");
        // A sorted copy, so the lock is not held while formatting.
        let routes: BTreeMap<String, RouteStats> = match self.routes.lock() {
            Ok(m) => m.iter().map(|(r, st)| (r.clone(), st.clone())).collect(),
            Err(_) => BTreeMap::new(),
        };
        for (route, st) in &routes {
            for ((method, status), n) in &st.requests {
                let _ = writeln!(
                    out,
                    "leakdex_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP leakdex_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE leakdex_http_request_duration_seconds histogram\n");
        for (route, st) in &routes {
            let h = &st.latency;
            let r = escape(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "leakdex_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "leakdex_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.n
            );
            let _ = writeln!(
                out,
                "leakdex_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "leakdex_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.n
            );
        }
        out.push_str("# HELP leakdex_rate_limited_total Requests refused by a rate limit (by key or by IP).\n");
        out.push_str("# TYPE leakdex_rate_limited_total counter\n");
        if let Ok(m) = self.limited.lock() {
            for by in ["key", "ip"] {
                let _ = writeln!(
                    out,
                    "leakdex_rate_limited_total{{by=\"{by}\"}} {}",
                    m.get(by).copied().unwrap_or(0)
                );
            }
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Whether a route's parameters are public (breach names, hash prefixes), so its path
/// may be logged.
fn path_is_public(route: &str) -> bool {
    !(route.contains("{account}") || route.contains("{domain}"))
}

/// Records every request in the metrics and the access log.
pub(crate) async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route: Option<MatchedPath> = req.extensions().get::<MatchedPath>().cloned();
    let route_str = route.as_ref().map_or("(unmatched)", |p| p.as_str());
    // The access log's fields are built only when it is on.
    let log = tracing::enabled!(target: "leakdex::access", tracing::Level::INFO);
    let shown = if !log {
        String::new()
    } else if route.is_some() && path_is_public(route_str) {
        req.uri().path().to_string()
    } else {
        route_str.to_string()
    };
    let ip = if log {
        Some(crate::auth::client_ip(&req))
    } else {
        None
    };
    let resp = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    let status = resp.status().as_u16();
    state.0.metrics.record(&method, route_str, status, secs);
    if let Some(ip) = ip {
        tracing::info!(
            target: "leakdex::access",
            %ip,
            method = %method,
            path = %shown,
            status,
            ms = (secs * 1000.0),
            "request"
        );
    }
    resp
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.0.metrics.render(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn private_routes_are_logged_by_template() {
        assert!(!super::path_is_public("/api/v3/breachedaccount/{account}"));
        assert!(!super::path_is_public("/api/v1/domains/{domain}"));
        assert!(super::path_is_public(
            "/api/v3/breachedaccount/range/{prefix}"
        ));
        assert!(super::path_is_public("/api/v3/breach/{name}"));
    }
}
