//! The search service (`leakdex serve`), against SQLite **and** PostgreSQL: every route and
//! status code through the router without a socket (shapes checked against the real HIBP
//! responses in shared/hibp-v3/), keys and limits, the verified owner's data and its audit
//! log, domain verification against real DNS, SMTP and HTTP servers on loopback, and the
//! binary serving plain HTTP, TLS and the published `hibp` npm client.

use crate::index::{ok, TestDb};
use crate::util::*;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use leakdex_server::{AppState, Config, VerifyConfig};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tower::ServiceExt;

/// An index with three breaches and two keys.
pub struct Fixture {
    pub truth: Value,
    /// An address of the corpus: in `Contoso`, `Secret` (sensitive) and `Old` (retired).
    pub email: String,
    /// Its registrable domain, verified by `key`.
    pub domain: String,
    /// 1000 requests a minute, has verified `domain`.
    pub key: String,
    /// 2 requests a minute, no domain.
    pub slow: String,
}

pub fn fixture(dir: &Path, db: &TestDb) -> Fixture {
    let (corpus, truth) = generate(dir, 11, 6, None);
    ok(
        db,
        &[
            "-q",
            "ingest",
            s(&corpus),
            "--breach",
            "Contoso",
            "--title",
            "Contoso CRM backup",
            "--domain",
            "contoso-crm.example",
        ],
    );
    let email = truth["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .filter_map(Value::as_str)
        .find(|e| e.ends_with(".de"))
        .expect("a .de address in the corpus")
        .to_string();
    let domain = leakdex_core::registrable_domain(email.rsplit_once('@').expect("@").1)
        .expect("registrable");
    let extra = dir.join("extra.csv");
    std::fs::write(&extra, format!("email,note\n{email},x\n")).expect("write");
    ok(db, &["-q", "ingest", s(&extra), "--breach", "Secret"]);
    ok(db, &["-q", "ingest", s(&extra), "--breach", "Old"]);
    ok(db, &["breach", "update", "Contoso", "--verified"]);
    ok(
        db,
        &["breach", "update", "Secret", "--sensitive", "--verified"],
    );
    ok(db, &["breach", "update", "Old", "--retired", "--verified"]);
    let key = ok(
        db,
        &["-q", "keys", "create", "--label", "owner", "--rpm", "1000"],
    )
    .trim()
    .to_string();
    let slow = ok(
        db,
        &["-q", "keys", "create", "--label", "slow", "--rpm", "2"],
    )
    .trim()
    .to_string();
    assert!(
        key.starts_with("ldx_") && slow.starts_with("ldx_"),
        "{key} {slow}"
    );
    ok(db, &["keys", "add-domain", "--key-id", "1", &domain]);
    Fixture {
        truth,
        email,
        domain,
        key,
        slow,
    }
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The router over `db`, as seen from client address `ip`.
pub(crate) struct Api {
    pub rt: tokio::runtime::Runtime,
    pub state: AppState,
}

pub(crate) struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Api {
    pub fn new(db: &TestDb, config: Config) -> Api {
        let rt = runtime();
        let index = rt
            .block_on(leakdex_index::Index::open(&db.url))
            .expect("open index");
        Api {
            rt,
            state: AppState::new(index, config),
        }
    }

    pub fn call(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
        ip: [u8; 4],
    ) -> Resp {
        let app = leakdex_server::router(self.state.clone())
            .layer(MockConnectInfo(SocketAddr::from((ip, 40000))));
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        self.rt.block_on(async {
            let resp = app.oneshot(req).await.expect("infallible");
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
                .await
                .expect("body")
                .to_vec();
            Resp {
                status,
                headers,
                body,
            }
        })
    }

    /// GET with a user agent (and a key, if given).
    pub fn get(&self, uri: &str, key: Option<&str>) -> Resp {
        let mut h = vec![("user-agent", "leakdex-tests")];
        if let Some(k) = key {
            h.push(("hibp-api-key", k));
        }
        self.call("GET", uri, &h, None, [127, 0, 0, 1])
    }

    pub fn post(&self, uri: &str, key: &str, body: Value) -> Resp {
        self.call(
            "POST",
            uri,
            &[("user-agent", "leakdex-tests"), ("hibp-api-key", key)],
            Some(body),
            [127, 0, 0, 1],
        )
    }
}

fn sha1_hex(s: &str) -> String {
    use sha1::{Digest, Sha1};
    Sha1::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The keys of a JSON object in the order the text has them.
fn key_order(raw: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(raw).expect("JSON");
    let obj = match &v {
        Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
        o => o.clone(),
    };
    let Value::Object(map) = obj else {
        return Vec::new();
    };
    let mut keys: Vec<(usize, String)> = map
        .keys()
        .map(|k| {
            (
                raw.find(&format!("\"{k}\":")).expect("key in text"),
                k.clone(),
            )
        })
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(shared().join("hibp-v3").join(name)).expect("HIBP fixture")
}

/// Same keys, in the same order, with values of the same JSON types.
fn assert_same_shape(ours: &str, theirs: &str) {
    assert_eq!(key_order(ours), key_order(theirs), "field names and order");
    let (a, b): (Value, Value) = (
        serde_json::from_str(ours).expect("ours"),
        serde_json::from_str(theirs).expect("theirs"),
    );
    let first = |v: &Value| match v {
        Value::Array(x) => x.first().cloned().unwrap_or(Value::Null),
        o => o.clone(),
    };
    let (a, b) = (first(&a), first(&b));
    for (k, v) in b.as_object().expect("object") {
        let t = |v: &Value| std::mem::discriminant(v);
        if v.is_null() {
            continue; // nullable in HIBP's answer
        }
        assert_eq!(t(&a[k]), t(v), "type of {k}: ours {} vs {}", a[k], v);
    }
}

both!(hibp_v3_catalogue, |dir: &Path, db: &TestDb| {
    let f = fixture(dir, db);
    let api = Api::new(db, Config::default());
    // Field for field as the real API.
    let r = api.get("/api/v3/breach/Contoso", None);
    assert_eq!(r.status, StatusCode::OK);
    assert_same_shape(&r.text(), &fixture_text("breachbyname-adobe.txt"));
    let b = r.json();
    assert_eq!(b["Title"], "Contoso CRM backup");
    assert_eq!(b["Domain"], "contoso-crm.example");
    assert_eq!(b["PwnCount"], f.truth["counts"]["emails"]["unique"]);
    let date = b["AddedDate"].as_str().expect("date");
    assert!(
        date.len() == 20 && date.ends_with('Z') && &date[10..11] == "T",
        "{date}"
    );
    assert!(b["DataClasses"]
        .as_array()
        .expect("classes")
        .contains(&Value::from("Email addresses")));
    assert_eq!(
        api.get("/api/v3/breach/NoSuchBreach", None).status,
        StatusCode::NOT_FOUND
    );
    // The catalogue: all three, by name; filters.
    let r = api.get("/api/v3/breaches", None);
    assert_same_shape(
        &r.text(),
        &fixture_text("breachdomain-adobe.com-truncated-unverified.txt"),
    );
    let names: Vec<String> = r
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|b| b["Name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, ["Contoso", "Old", "Secret"]);
    let r = api.get("/api/v3/breaches?Domain=contoso-crm.example", None);
    assert_eq!(r.json().as_array().expect("array").len(), 1);
    let r = api.get("/api/v3/breaches?domain=CONTOSO-CRM.EXAMPLE", None);
    assert_eq!(r.json().as_array().expect("array").len(), 1);
    assert_eq!(
        api.get("/api/v3/breaches?IsSpamList=true", None).json(),
        serde_json::json!([])
    );
    assert_eq!(
        api.get("/api/v3/breaches?IsSpamList=maybe", None).status,
        StatusCode::BAD_REQUEST
    );
    let r = api.get("/api/v3/latestbreach", None);
    assert_same_shape(&r.text(), &fixture_text("breach-latestbreach.txt"));
    // Data classes: HIBP's whole vocabulary.
    let ours: Vec<Value> = api
        .get("/api/v3/dataclasses", None)
        .json()
        .as_array()
        .expect("array")
        .clone();
    let theirs: Vec<Value> =
        serde_json::from_str(&fixture_text("dataclasses.txt")).expect("fixture");
    for c in &theirs {
        assert!(ours.contains(c), "data class {c} missing");
    }
    // HIBP refuses requests without a user agent.
    let r = api.call("GET", "/api/v3/breaches", &[], None, [127, 0, 0, 1]);
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["message"]
        .as_str()
        .expect("message")
        .contains("User-Agent"));
});

both!(hibp_v3_account_search, |dir: &Path, db: &TestDb| {
    let f = fixture(dir, db);
    let api = Api::new(db, Config::default());
    let enc = f.email.replace('@', "%40");
    let uri = format!("/api/v3/breachedaccount/{enc}");
    // 401 bodies say which.
    let r = api.get(&uri, None);
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json(),
        serde_json::json!({"statusCode": 401, "message": "Access denied due to missing hibp-api-key."})
    );
    assert!(r.text().starts_with("{\"statusCode\":401"), "{}", r.text());
    let r = api.get(&uri, Some("ldx_00000000000000000000000000000000"));
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("invalid hibp-api-key"));
    // Truncated by default; never the sensitive or the retired breach.
    let r = api.get(&uri, Some(&f.key));
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), serde_json::json!([{"Name": "Contoso"}]));
    assert_same_shape(
        &r.text(),
        &fixture_text("breachaccount-toni.tester@domain.tld.txt"),
    );
    // Upper case and the raw '@' find the same.
    let r = api.get(
        &format!("/api/v3/breachedaccount/{}", f.email.to_uppercase()),
        Some(&f.key),
    );
    assert_eq!(r.json(), serde_json::json!([{"Name": "Contoso"}]));
    let r = api.get(&format!("{uri}?truncateResponse=false"), Some(&f.key));
    assert_same_shape(
        &r.text(),
        &fixture_text("breachdomain-adobe.com-truncated-unverified.txt"),
    );
    assert_eq!(r.json()[0]["Title"], "Contoso CRM backup");
    // Filters.
    assert_eq!(
        api.get(&format!("{uri}?domain=contoso-crm.example"), Some(&f.key))
            .status,
        StatusCode::OK
    );
    assert_eq!(
        api.get(&format!("{uri}?domain=other.example"), Some(&f.key))
            .status,
        StatusCode::NOT_FOUND
    );
    ok(db, &["breach", "update", "Contoso", "--no-verified"]);
    assert_eq!(
        api.get(&format!("{uri}?IncludeUnverified=false"), Some(&f.key))
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(api.get(&uri, Some(&f.key)).status, StatusCode::OK);
    // Not found: 404 with an empty body; malformed: 400.
    let r = api.get(
        "/api/v3/breachedaccount/nobody%40example.invalid",
        Some(&f.key),
    );
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.is_empty());
    assert_eq!(
        api.get("/api/v3/breachedaccount/not-an-address", Some(&f.key))
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.get(&format!("{uri}?truncateResponse=perhaps"), Some(&f.key))
            .status,
        StatusCode::BAD_REQUEST
    );
});

both!(k_anonymity_range, |dir: &Path, db: &TestDb| {
    let f = fixture(dir, db);
    // From the in-memory snapshot, and from the database (an index too big for memory).
    for config in [
        Config::default(),
        Config {
            range_max_entries: 0,
            ..Config::default()
        },
    ] {
        range_answers(&f, &Api::new(db, config));
    }
    // A change of the catalogue reaches the snapshot: the breach made sensitive leaves.
    let api = Api::new(
        db,
        Config {
            range_refresh: Duration::ZERO,
            ..Config::default()
        },
    );
    let h = sha1_hex(&f.email);
    let uri = format!("/api/v1/range/{}", &h[..6]);
    assert!(api.get(&uri, None).text().contains(&h[6..]));
    ok(db, &["breach", "update", "Contoso", "--sensitive"]);
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        !api.get(&uri, None).text().contains(&h[6..])
    });
    assert!(gone, "the range snapshot did not follow the catalogue");
});

fn range_answers(f: &Fixture, api: &Api) {
    let h = sha1_hex(&f.email);
    let (prefix, suffix) = h.split_at(6);
    for (uri, key) in [
        (
            format!("/api/v3/breachedaccount/range/{prefix}"),
            Some(f.key.as_str()),
        ),
        (
            format!("/api/v3/breachedaccount/range/{}", prefix.to_lowercase()),
            Some(f.key.as_str()),
        ),
        (format!("/api/v1/range/{prefix}"), None),
    ] {
        let r = api.get(&uri, key);
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        let hit = r
            .json()
            .as_array()
            .expect("array")
            .iter()
            .find(|e| e["hashSuffix"] == suffix)
            .cloned()
            .unwrap_or_else(|| panic!("{suffix} not in {}", r.text()));
        // Never the sensitive or the retired breach.
        assert_eq!(hit["websites"], serde_json::json!(["Contoso"]));
        assert!(
            !r.text().contains(&f.email),
            "the range answer holds no address"
        );
    }
    assert_eq!(
        api.get("/api/v3/breachedaccount/range/ABCDEF", None).status,
        StatusCode::UNAUTHORIZED
    );
    for bad in ["ABCDE", "ABCDEFG", "GHIJKL"] {
        assert_eq!(
            api.get(&format!("/api/v1/range/{bad}"), None).status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

both!(verified_owner, |dir: &Path, db: &TestDb| {
    let f = fixture(dir, db);
    let api = Api::new(db, Config::default());
    let uri = format!("/api/v3/breacheddomain/{}", f.domain);
    // Not verified by this key: 403.
    let r = api.get(&uri, Some(&f.slow));
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = api.get(&uri, Some(&f.key));
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let map = r.json();
    let alias = f.email.split('@').next().expect("local part");
    // The sensitive breach is shown to the verified owner; the retired one is not.
    assert_eq!(
        map[alias],
        serde_json::json!(["Contoso", "Secret"]),
        "{map}"
    );
    let want: usize = f.truth["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .filter_map(Value::as_str)
        .filter(|e| {
            e.ends_with(&format!("@{}", f.domain)) || e.ends_with(&format!(".{}", f.domain))
        })
        .count();
    assert_eq!(map.as_object().expect("object").len(), want);
    // Its addresses with data classes and document types, JSON and CSV.
    let r = api.get(
        &format!("/api/v1/domains/{}/addresses", f.domain),
        Some(&f.key),
    );
    assert_eq!(r.status, StatusCode::OK);
    let rows = r.json();
    let row = rows
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["email"] == f.email.as_str() && r["breach"] == "Contoso")
        .expect("the address in Contoso")
        .clone();
    assert!(row["occurrences"].as_u64().expect("n") >= 1);
    assert!(row["data_classes"]
        .as_array()
        .expect("classes")
        .contains(&Value::from("Email addresses")));
    assert!(!row["document_types"].as_array().expect("types").is_empty());
    let r = api.get(
        &format!("/api/v1/domains/{}/addresses?format=csv", f.domain),
        Some(&f.key),
    );
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/csv"));
    let csv = r.text();
    assert!(csv.starts_with("email,breach,occurrences,data_classes,document_types\n"));
    assert!(csv.contains(&format!("{},Contoso,", f.email)));
    assert_eq!(
        api.get(
            &format!("/api/v1/domains/{}/addresses", f.domain),
            Some(&f.slow)
        )
        .status,
        StatusCode::FORBIDDEN
    );
    // HIBP's subscription views.
    let r = api.get("/api/v3/subscribeddomains", Some(&f.key));
    assert_same_shape(&r.text(), &fixture_text("breach-subscribeddomains.txt"));
    assert_eq!(r.json()[0]["DomainName"], f.domain.as_str());
    assert_eq!(r.json()[0]["PwnCount"].as_u64(), Some(want as u64));
    let r = api.get("/api/v3/subscription/status", Some(&f.key));
    assert_same_shape(&r.text(), &fixture_text("subscription-status.txt"));
    assert_eq!(r.json()["Rpm"], 1000);
    // Every access to the domain's data is in the audit log — and only those.
    let log = ok(db, &["audit-log", "--json"]);
    let entries: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(entries.len(), 3, "{log}");
    assert!(entries
        .iter()
        .all(|e| e["domain"] == f.domain.as_str() && e["key_label"] == "owner"));
    assert!(entries[0]["action"]
        .as_str()
        .expect("action")
        .contains("breacheddomain"));
    let text = ok(db, &["audit-log", "--domain", "other.example"]);
    assert!(text.is_empty(), "{text}");
});

both!(native_api, |dir: &Path, db: &TestDb| {
    let f = fixture(dir, db);
    let api = Api::new(db, Config::default());
    // The public domain summary: counts, never addresses, no sensitive breach.
    let r = api.get(&format!("/api/v1/domains/{}", f.domain), None);
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(
        !r.text().contains(&f.email),
        "no address in a public summary"
    );
    let breaches = v["breaches"].as_array().expect("breaches");
    assert_eq!(breaches.len(), 1, "{v}");
    assert_eq!(breaches[0]["breach"], "Contoso");
    let owner = api
        .get(
            &format!("/api/v3/breacheddomain/{}", f.domain),
            Some(&f.key),
        )
        .json();
    assert_eq!(
        breaches[0]["accounts"].as_u64(),
        Some(owner.as_object().expect("map").len() as u64)
    );
    assert!(breaches[0]["occurrences"].as_u64() >= breaches[0]["accounts"].as_u64());
    assert!(!breaches[0]["document_types"]
        .as_object()
        .expect("types")
        .is_empty());
    // Each type of document holding the domain's addresses adds its data classes.
    let types = breaches[0]["document_types"].as_object().expect("types");
    let classes = breaches[0]["data_classes"].to_string();
    for (t, want) in [
        ("customer_list", "Customer lists"),
        ("email", "Email messages"),
    ] {
        if types.contains_key(t) {
            assert!(classes.contains(want), "{t} → {want}: {classes}");
        }
    }
    assert!(types.contains_key("customer_list"), "{types:?}");
    // A subdomain is summarised under its registrable domain.
    let sub = api
        .get(&format!("/api/v1/domains/mail.{}", f.domain), None)
        .json();
    assert_eq!(sub["domain"], f.domain.as_str());
    // Organisation search groups branches.
    let org = &f.truth["organizations"]
        .as_array()
        .expect("orgs")
        .iter()
        .find(|o| o["branches"].as_array().is_some_and(|b| b.len() > 1))
        .expect("an organisation with branches")
        .clone();
    let name = org["branches"][0]["name"].as_str().expect("name");
    let r = api.get(
        &format!("/api/v1/organizations?q={}", name.replace(' ', "%20")),
        None,
    );
    assert_eq!(r.status, StatusCode::OK);
    let hit = r
        .json()
        .as_array()
        .expect("array")
        .iter()
        .find(|h| h["organization"] == org["name"])
        .cloned()
        .unwrap_or_else(|| panic!("{} not found: {}", org["name"], r.text()));
    assert!(hit["branches"].as_array().expect("branches").len() > 1);
    // Any inner part of the name finds it (trigram index); fewer than 3 letters is a 400.
    let key = org["name"].as_str().expect("key");
    let inner = &key[1..key.len().min(5)];
    let r = api.get(&format!("/api/v1/organizations?q={inner}"), None);
    assert!(
        r.json()
            .as_array()
            .expect("array")
            .iter()
            .any(|h| h["organization"] == org["name"]),
        "{inner}: {}",
        r.text()
    );
    assert_eq!(
        api.get("/api/v1/organizations?q=ab", None).status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.get("/api/v1/organizations?q=", None).status,
        StatusCode::BAD_REQUEST
    );
    // The counting explanation of a breach.
    let r = api.get("/api/v1/breaches/Contoso", None);
    let c = r.json();
    assert_eq!(c["breach"]["Name"], "Contoso");
    assert_eq!(
        c["counts"]["emails"]["unique"],
        f.truth["counts"]["emails"]["unique"]
    );
    assert_eq!(
        c["counts"]["emails"]["raw"],
        f.truth["counts"]["emails"]["raw"]
    );
    assert!(
        c["organization_groups"].as_u64() < c["domains"].as_u64(),
        "{c}"
    );
    assert!(!c["top_domains"].as_array().expect("top").is_empty());
    // The breach page's countries: domains grouped by their two-letter top-level label,
    // as many in all as the breach names (fewer than 15 countries here).
    let page = api.get("/breaches/Contoso", None).text();
    let label = page
        .split("aria-label=\"Organisation domains by country. ")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the countries chart");
    let per: Vec<(&str, u64)> = label
        .split("; ")
        .filter_map(|p| p.split_once(": "))
        .map(|(c, n)| (c, n.replace(',', "").parse().expect("a count")))
        .collect();
    assert!(per.iter().any(|(c, _)| *c == "DE"), "{label}");
    assert!(
        per.iter().all(|(c, _)| c.len() == 2 || *c == "generic"),
        "{label}"
    );
    assert_eq!(
        Some(per.iter().map(|(_, n)| n).sum::<u64>()),
        c["domains"].as_u64(),
        "{label}"
    );
    // Messages over time: every generated message has a Date, so the months add up.
    let months = c["messages_by_month"].as_object().expect("months");
    assert!(!months.is_empty());
    for which in ["raw", "unique"] {
        let sum: u64 = months.values().map(|m| m[which].as_u64().expect("n")).sum();
        assert_eq!(
            Some(sum),
            c["counts"]["messages"][which].as_u64(),
            "{which}: {months:?}"
        );
    }
    assert!(!c["explanation"].as_array().expect("text").is_empty());
    assert!(
        api.get("/api/v1/breaches/Secret", None).json()["top_domains"]
            .as_array()
            .expect("top")
            .is_empty()
    );
    assert_eq!(
        api.get("/api/v1/breaches/Nope", None).status,
        StatusCode::NOT_FOUND
    );
});

both!(keys_and_limits, |dir: &Path, db: &TestDb| {
    let f = fixture(dir, db);
    let api = Api::new(
        db,
        Config {
            ip_rpm: 3,
            ..Config::default()
        },
    );
    // Per key: the slow key has 2 a minute.
    let uri = "/api/v3/subscription/status";
    assert_eq!(api.get(uri, Some(&f.slow)).status, StatusCode::OK);
    assert_eq!(api.get(uri, Some(&f.slow)).status, StatusCode::OK);
    let r = api.get(uri, Some(&f.slow));
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(r.json()["message"]
        .as_str()
        .expect("message")
        .contains("Rate limit"));
    // Another key is not affected.
    assert_eq!(api.get(uri, Some(&f.key)).status, StatusCode::OK);
    // Per IP on the key-less endpoints: 3 a minute here.
    let ua = [("user-agent", "t")];
    for _ in 0..3 {
        assert_eq!(
            api.call("GET", "/api/v3/breaches", &ua, None, [10, 0, 0, 1])
                .status,
            StatusCode::OK
        );
    }
    let r = api.call("GET", "/api/v3/breaches", &ua, None, [10, 0, 0, 1]);
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
    assert_eq!(
        api.call("GET", "/api/v3/breaches", &ua, None, [10, 0, 0, 2])
            .status,
        StatusCode::OK
    );
    // Rejections are counted.
    let m = api.get("/metrics", None).text();
    assert!(
        m.contains("leakdex_rate_limited_total{by=\"key\"} 1"),
        "{m}"
    );
    assert!(m.contains("leakdex_rate_limited_total{by=\"ip\"} 1"), "{m}");
    // A revoked key stops working (after the cache time: none here).
    let api = Api::new(
        db,
        Config {
            key_cache: Duration::ZERO,
            ..Config::default()
        },
    );
    assert_eq!(api.get(uri, Some(&f.key)).status, StatusCode::OK);
    ok(db, &["keys", "revoke", "1"]);
    assert_eq!(api.get(uri, Some(&f.key)).status, StatusCode::UNAUTHORIZED);
    let list = ok(db, &["keys", "list"]);
    assert!(
        list.contains("[revoked]") && !list.contains(&f.key),
        "{list}"
    );
});

both!(operations, |dir: &Path, db: &TestDb| {
    let f = fixture(dir, db);
    let api = Api::new(db, Config::default());
    assert_eq!(api.get("/healthz", None).status, StatusCode::OK);
    // Every route is documented.
    let doc = api.get("/openapi.json", None).json();
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    for p in [
        "/api/v3/breaches",
        "/api/v3/breach/{name}",
        "/api/v3/latestbreach",
        "/api/v3/dataclasses",
        "/api/v3/breachedaccount/{account}",
        "/api/v3/breachedaccount/range/{prefix}",
        "/api/v3/breacheddomain/{domain}",
        "/api/v3/subscribeddomains",
        "/api/v3/subscription/status",
        "/api/v1/domains/{domain}",
        "/api/v1/organizations",
        "/api/v1/breaches/{name}",
        "/api/v1/domains/{domain}/addresses",
        "/api/v1/range/{prefix}",
        "/api/v1/domains/{domain}/verify/start",
        "/api/v1/domains/{domain}/verify/check",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} not in /openapi.json");
    }
    // Metrics by route template, never by address.
    api.get(
        &format!("/api/v3/breachedaccount/{}", f.email),
        Some(&f.key),
    );
    let m = api.get("/metrics", None).text();
    assert!(m.contains("leakdex_http_requests_total{method=\"GET\",route=\"/api/v3/breachedaccount/{account}\",status=\"200\"} 1"), "{m}");
    assert!(m.contains("leakdex_http_request_duration_seconds_bucket"));
    assert!(!m.contains(&f.email));
    // Unknown routes and oversized bodies are 4xx.
    assert_eq!(
        api.get("/api/v3/nothing", None).status,
        StatusCode::NOT_FOUND
    );
    let big = serde_json::json!({"method": "dns", "pad": "x".repeat(200_000)});
    let r = api.post(
        &format!("/api/v1/domains/{}/verify/start", f.domain),
        &f.key,
        big,
    );
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = api.call(
        "POST",
        &format!("/api/v1/domains/{}/verify/start", f.domain),
        &[
            ("hibp-api-key", &f.key),
            ("content-type", "application/json"),
        ],
        None,
        [127, 0, 0, 1],
    );
    assert!(r.status.is_client_error(), "{}", r.status);
});

/// A DNS server on loopback answering TXT queries from a table (name → values).
type Zone = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<String>>>>;

async fn dns_server(zone: Zone) -> SocketAddr {
    use hickory_proto::op::{Message, MessageType};
    use hickory_proto::rr::rdata::TXT;
    use hickory_proto::rr::{RData, Record, RecordType};
    use hickory_proto::serialize::binary::{BinDecodable, BinEncodable};
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind udp");
    let addr = sock.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
                return;
            };
            let Ok(q) = Message::from_bytes(&buf[..n]) else {
                continue;
            };
            let mut resp = Message::new();
            resp.set_id(q.id())
                .set_message_type(MessageType::Response)
                .set_op_code(q.op_code())
                .set_recursion_desired(q.recursion_desired())
                .set_recursion_available(true)
                .set_authoritative(true);
            for query in q.queries() {
                resp.add_query(query.clone());
                let name = query.name().to_ascii().trim_end_matches('.').to_lowercase();
                if query.query_type() == RecordType::TXT {
                    let values = zone
                        .lock()
                        .expect("zone")
                        .get(&name)
                        .cloned()
                        .unwrap_or_default();
                    for v in values {
                        resp.add_answer(Record::from_rdata(
                            query.name().clone(),
                            1,
                            RData::TXT(TXT::new(vec![v])),
                        ));
                    }
                }
            }
            if let Ok(bytes) = resp.to_bytes() {
                let _ = sock.send_to(&bytes, peer).await;
            }
        }
    });
    addr
}

/// An SMTP sink on loopback: accepts every message, keeps (recipients, data).
pub(crate) type Outbox = std::sync::Arc<std::sync::Mutex<Vec<(Vec<String>, String)>>>;

pub(crate) async fn smtp_sink(outbox: Outbox) -> SocketAddr {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind smtp");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let outbox = outbox.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let up = line.to_ascii_uppercase();
                    let reply: &[u8] = if up.starts_with("EHLO") || up.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if up.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                        b"250 OK\r\n"
                    } else if up == "DATA" {
                        let _ = w.write_all(b"354 go ahead\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        outbox
                            .lock()
                            .expect("outbox")
                            .push((std::mem::take(&mut rcpt), data));
                        b"250 queued\r\n"
                    } else if up == "QUIT" {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    addr
}

/// A web server on loopback serving the well-known file (404 while it is empty).
async fn web_server(token: std::sync::Arc<std::sync::Mutex<String>>) -> SocketAddr {
    let app = axum::Router::new().route(
        "/.well-known/leakdex-verification.txt",
        axum::routing::get(move || {
            let t = token.lock().expect("token").clone();
            async move {
                if t.is_empty() {
                    (StatusCode::NOT_FOUND, String::new())
                } else {
                    (StatusCode::OK, format!("{t}\n"))
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind http");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

both!(domain_verification, |dir: &Path, db: &TestDb| {
    let f = fixture(dir, db);
    let key = ok(
        db,
        &[
            "-q", "keys", "create", "--label", "verifier", "--rpm", "1000",
        ],
    )
    .trim()
    .to_string();
    let zone: Zone = Default::default();
    let outbox: Outbox = Default::default();
    let token = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let rt = runtime();
    let (dns, smtp, web) = rt.block_on(async {
        (
            dns_server(zone.clone()).await,
            smtp_sink(outbox.clone()).await,
            web_server(token.clone()).await,
        )
    });
    let verify = VerifyConfig {
        dns_server: Some(dns),
        smtp_url: Some(format!("smtp://127.0.0.1:{}", smtp.port())),
        mail_from: "leakdex <verify@leakdex.test>".into(),
        http_scheme: "http".into(),
        http_port: Some(web.port()),
        http_connect: Some("127.0.0.1".parse().expect("ip")),
        ..VerifyConfig::default()
    };
    let api = Api::new(
        db,
        Config {
            verify: verify.clone(),
            ..Config::default()
        },
    );
    let d = &f.domain;
    let start = |m: Value| api.post(&format!("/api/v1/domains/{d}/verify/start"), &key, m);
    let check = |m: Value| api.post(&format!("/api/v1/domains/{d}/verify/check"), &key, m);
    assert_eq!(
        api.get(&format!("/api/v3/breacheddomain/{d}"), Some(&key))
            .status,
        StatusCode::FORBIDDEN
    );

    // DNS: a TXT record with the token.
    assert_eq!(
        check(serde_json::json!({"method": "dns"})).status,
        StatusCode::NOT_FOUND,
        "no challenge yet"
    );
    let r = start(serde_json::json!({"method": "dns"}));
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = r.json()["token"].as_str().expect("token").to_string();
    assert!(t.len() >= 32);
    assert_eq!(
        check(serde_json::json!({"method": "dns"})).status,
        StatusCode::FORBIDDEN,
        "not published yet"
    );
    zone.lock().expect("zone").insert(
        d.clone(),
        vec!["v=spf1 -all".into(), format!("leakdex-verification={t}")],
    );
    let r = check(serde_json::json!({"method": "dns"}));
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["verified"], true);
    assert_eq!(
        check(serde_json::json!({"method": "dns"})).status,
        StatusCode::NOT_FOUND,
        "single use"
    );
    assert_eq!(
        api.get(&format!("/api/v3/breacheddomain/{d}"), Some(&key))
            .status,
        StatusCode::OK
    );

    // E-mail: a code sent to a role mailbox.
    assert_eq!(
        start(serde_json::json!({"method": "email", "mailbox": "ceo"})).status,
        StatusCode::BAD_REQUEST
    );
    let r = start(serde_json::json!({"method": "email", "mailbox": "security"}));
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["token"].is_null(), "the code is sent, never shown");
    let (rcpt, data) = outbox
        .lock()
        .expect("outbox")
        .last()
        .cloned()
        .expect("a message in the sink");
    assert_eq!(rcpt, [format!("security@{d}")]);
    let code = data
        .lines()
        .find_map(|l| l.strip_prefix("Verification code: "))
        .expect("code in the message")
        .trim()
        .to_string();
    assert_eq!(
        check(serde_json::json!({"method": "email", "code": "0000000000"})).status,
        StatusCode::FORBIDDEN
    );
    let r = check(serde_json::json!({"method": "email", "code": code}));
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        check(serde_json::json!({"method": "email", "code": code})).status,
        StatusCode::NOT_FOUND,
        "single use"
    );

    // HTTP: the token in /.well-known/leakdex-verification.txt.
    let r = start(serde_json::json!({"method": "http"}));
    let t = r.json()["token"].as_str().expect("token").to_string();
    assert_eq!(
        check(serde_json::json!({"method": "http"})).status,
        StatusCode::FORBIDDEN
    );
    *token.lock().expect("token") = t;
    let r = check(serde_json::json!({"method": "http"}));
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let verified = ok(db, &["keys", "list", "--json"]);
    assert!(
        verified.contains(&format!("\"domain\":\"{d}\",\"method\":\"http\"")),
        "{verified}"
    );

    // Wrong attempts are limited.
    start(serde_json::json!({"method": "email"}));
    for _ in 0..leakdex_index::MAX_ATTEMPTS {
        assert_eq!(
            check(serde_json::json!({"method": "email", "code": "x"})).status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        check(serde_json::json!({"method": "email", "code": "x"})).status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // A failure says the same for a domain in no breach as for one in a breach.
    let other = "nowhere-in-any-breach.de";
    let mut answers = Vec::new();
    for dom in [d.as_str(), other] {
        api.post(
            &format!("/api/v1/domains/{dom}/verify/start"),
            &key,
            serde_json::json!({"method": "dns"}),
        );
        let r = api.post(
            &format!("/api/v1/domains/{dom}/verify/check"),
            &key,
            serde_json::json!({"method": "http"}),
        );
        let r2 = api.post(
            &format!("/api/v1/domains/{dom}/verify/check"),
            &key,
            serde_json::json!({"method": "dns"}),
        );
        answers.push((
            r.status,
            r.text().replace(dom, "D"),
            r2.status,
            r2.text().replace(dom, "D"),
        ));
    }
    assert_eq!(answers[0], answers[1]);
    // Subdomains are refused: verify the registrable domain.
    assert_eq!(
        api.post(
            &format!("/api/v1/domains/mail.{d}/verify/start"),
            &key,
            serde_json::json!({"method": "dns"})
        )
        .status,
        StatusCode::BAD_REQUEST
    );

    // Challenges expire.
    let api = Api::new(
        db,
        Config {
            verify: VerifyConfig {
                ttl: Duration::from_secs(1),
                ..verify
            },
            ..Config::default()
        },
    );
    let r = api.post(
        &format!("/api/v1/domains/{other}/verify/start"),
        &key,
        serde_json::json!({"method": "dns"}),
    );
    let t = r.json()["token"].as_str().expect("token").to_string();
    zone.lock()
        .expect("zone")
        .insert(other.to_string(), vec![format!("leakdex-verification={t}")]);
    std::thread::sleep(Duration::from_millis(2100));
    let r = api.post(
        &format!("/api/v1/domains/{other}/verify/check"),
        &key,
        serde_json::json!({"method": "dns"}),
    );
    assert_eq!(r.status, StatusCode::NOT_FOUND, "expired: {}", r.text());
    drop(rt);
});

both!(empty_index, |_dir: &Path, db: &TestDb| {
    let key = ok(db, &["-q", "keys", "create", "--label", "k"])
        .trim()
        .to_string();
    let api = Api::new(db, Config::default());
    assert_eq!(
        api.get("/api/v3/breaches", None).json(),
        serde_json::json!([])
    );
    assert_eq!(
        api.get("/api/v3/latestbreach", None).status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get("/api/v3/subscribeddomains", Some(&key)).json(),
        serde_json::json!([])
    );
    assert_eq!(
        api.get("/api/v1/range/ABCDEF", None).json(),
        serde_json::json!([])
    );
    assert_eq!(
        api.get("/api/v3/breachedaccount/a%40b.de", Some(&key))
            .status,
        StatusCode::NOT_FOUND
    );
    let d = api.get("/api/v1/domains/contoso.de", None).json();
    assert_eq!(d["breaches"], serde_json::json!([]));
    assert_eq!(
        api.get("/api/v1/organizations?q=contoso", None).json(),
        serde_json::json!([])
    );
    // The pages' empty states.
    assert!(api.get("/breaches", None).text().contains("breaches-none"));
    assert!(api
        .get("/domains/contoso.de", None)
        .text()
        .contains("domain-none"));
    assert_eq!(
        api.get("/breaches/Nope", None).status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get("/domains/a..b", None).status,
        StatusCode::BAD_REQUEST
    );
    let dash = api.get("/dashboard", None).text();
    assert!(dash.contains(r#"id="signin""#), "signed out");
    // A form post without a session goes back to sign-in; with a bad key it is refused.
    let r = api.call(
        "POST",
        "/dashboard/signin",
        &[("content-type", "application/x-www-form-urlencoded")],
        None,
        [127, 0, 0, 1],
    );
    assert!(r.status.is_client_error(), "{}", r.status);
});
