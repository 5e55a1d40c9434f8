//! Alerts (issue 8), against SQLite **and** PostgreSQL: subscriptions through the API and
//! the CLI; the outbox written by the ingest that first names a subscribed domain; signed
//! webhooks checked by an independent verifier on a loopback receiver (down, then up:
//! delivered once; a tampered body fails); dead letters and their retry; e-mail alerts
//! through an SMTP sink; held alerts, preview and release; cancellation; private
//! addresses refused. The process-level test (server killed mid-delivery) is in
//! served.rs.

use crate::api::{smtp_sink, Api, Outbox};
use crate::index::{ok, TestDb};
use crate::util::*;
use axum::http::{HeaderMap, StatusCode};
use leakdex_server::alerts::{Deliverer, DeliveryConfig, RoundStats};
use leakdex_server::Config;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One POST the receiver took: its headers, body and whether the signature verified.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    pub valid: bool,
}

pub type Inbox = Arc<Mutex<Vec<Received>>>;

/// Verifies a Standard Webhooks signature — written from the specification, sharing no
/// code with the sender: base64(HMAC-SHA256(base64-decoded secret, id.ts.body)), any of
/// the space-separated `v1,` signatures.
pub fn verify(secret: &str, id: &str, ts: &str, body: &str, header: &str) -> bool {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let b64 = base64::engine::general_purpose::STANDARD;
    let Ok(key) = b64.decode(secret.trim_start_matches("whsec_")) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return false;
    };
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    let expected = b64.encode(mac.finalize().into_bytes());
    header
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
}

/// A webhook receiver on `listener`: verifies each POST with `secret`, records it, answers
/// 204. With `hang_first`, the first POST is recorded and then never answered (a sender
/// killed while waiting must send it again).
pub async fn receiver(
    listener: tokio::net::TcpListener,
    secret: Arc<Mutex<String>>,
    inbox: Inbox,
    hang_first: bool,
) {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let inbox = inbox.clone();
            let secret = secret.lock().expect("secret").clone();
            async move {
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                };
                let (id, ts, sig) = (
                    h("webhook-id"),
                    h("webhook-timestamp"),
                    h("webhook-signature"),
                );
                let valid = verify(&secret, &id, &ts, &body, &sig)
                    && h("idempotency-key") == id
                    && h("content-type") == "application/json";
                let first = {
                    let mut i = inbox.lock().expect("inbox");
                    i.push(Received {
                        id,
                        timestamp: ts,
                        signature: sig,
                        body,
                        valid,
                    });
                    i.len() == 1
                };
                if hang_first && first {
                    std::future::pending::<()>().await;
                }
                StatusCode::NO_CONTENT
            }
        }),
    );
    let _ = axum::serve(listener, app).await;
}

fn write_csv(dir: &Path, name: &str, rows: &[&str]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("email,note\n{}\n", rows.join("\n"))).expect("write csv");
    p
}

/// A key (id 1) that has verified contoso.de, and one (id 2) that has not.
fn keys(db: &TestDb) -> (String, String) {
    let owner = ok(
        db,
        &["-q", "keys", "create", "--label", "owner", "--rpm", "1000"],
    );
    let other = ok(
        db,
        &["-q", "keys", "create", "--label", "other", "--rpm", "1000"],
    );
    ok(db, &["keys", "add-domain", "--key-id", "1", "contoso.de"]);
    (owner.trim().to_string(), other.trim().to_string())
}

fn deliverer(api: &Api, cfg: DeliveryConfig) -> Deliverer {
    Deliverer::new(api.state.index().clone(), cfg).expect("deliverer")
}

fn fast(allow_private: bool) -> DeliveryConfig {
    DeliveryConfig {
        timeout: Duration::from_secs(2),
        poll: Duration::from_millis(100),
        retry_base: Duration::from_millis(200),
        retry_cap: Duration::from_millis(400),
        allow_private,
        ..DeliveryConfig::default()
    }
}

/// Rounds until `done` holds (each round waits a little for retries to come due).
fn rounds_until(api: &Api, d: &Deliverer, done: impl Fn(&RoundStats) -> bool) -> RoundStats {
    let mut all = RoundStats::default();
    for _ in 0..100 {
        let r = api.rt.block_on(d.round()).expect("round");
        all.delivered += r.delivered;
        all.retrying += r.retrying;
        all.dead += r.dead;
        all.cancelled += r.cancelled;
        if done(&all) {
            return all;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the outbox did not reach the expected state: {all:?}");
}

fn notifications(db: &TestDb, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["notify", "list", "--json"];
    args.extend_from_slice(extra);
    ok(db, &args)
        .lines()
        .map(|l| serde_json::from_str(l).expect("notify list --json"))
        .collect()
}

fn subscribe(api: &Api, key: &str, body: Value) -> crate::api::Resp {
    api.call(
        "POST",
        "/api/v1/subscriptions",
        &[("hibp-api-key", key), ("user-agent", "tests")],
        Some(body),
        [127, 0, 0, 1],
    )
}

both!(
    webhook_down_then_up_is_delivered_once,
    |dir: &Path, db: &TestDb| {
        let (owner, other) = keys(db);
        let api = Api::new(db, Config::default());
        // The receiver's port, reserved and released: connections are refused until it is up.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let url = format!("http://127.0.0.1:{port}/hook");

        // Subscriptions: only for a verified domain, only good URLs and addresses.
        let r = subscribe(
            &api,
            &other,
            json!({"domain": "contoso.de", "webhookUrl": url}),
        );
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        for bad in [
            json!({"domain": "contoso.de", "webhookUrl": "ftp://x/y"}),
            json!({"domain": "contoso.de"}),
            json!({"domain": "contoso.de", "emails": ["not-an-address"]}),
            json!({"domain": "mail.contoso.de", "webhookUrl": url}),
            json!({"domain": "contoso.de", "webhookUrl": url, "surprise": 1}),
        ] {
            let r = subscribe(&api, &owner, bad.clone());
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text());
        }
        let r = subscribe(
            &api,
            &owner,
            json!({"domain": "Contoso.DE", "webhookUrl": url}),
        );
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let sub = r.json();
        let secret = sub["secret"]
            .as_str()
            .expect("secret shown once")
            .to_string();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(sub["domain"], "contoso.de");
        let listed = api.get("/api/v1/subscriptions", Some(&owner)).json();
        assert_eq!(listed.as_array().map(Vec::len), Some(1));
        assert!(
            listed[0].get("secret").is_none(),
            "the secret is shown only once"
        );
        assert_eq!(
            api.get("/api/v1/subscriptions", Some(&other)).json(),
            json!([])
        );
        let audit = ok(db, &["audit-log", "--domain", "contoso.de"]);
        assert!(audit.contains("subscribe"), "{audit}");

        // A breach that does not name the domain owes nothing; one that does owes one alert.
        let unrelated = write_csv(dir, "a.csv", &["zoe@fabrikam.fr,x"]);
        let out = ok(db, &["ingest", s(&unrelated), "--breach", "Unrelated"]);
        assert!(!out.contains("alerts"), "{out}");
        let first = write_csv(
            dir,
            "b.csv",
            &[
                "alice@contoso.de,x",
                "bob@mail.contoso.de,y",
                "zoe@fabrikam.fr,z",
            ],
        );
        let out = ok(db, &["ingest", s(&first), "--breach", "First"]);
        assert!(
            out.contains("1 alerts to subscribed domains are queued"),
            "{out}"
        );
        let n = notifications(db, &[]);
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!(n[0]["state"], "pending");
        assert_eq!(n[0]["breach"], "First");

        // Receiver down: the attempt fails and is scheduled again.
        let d = deliverer(&api, fast(true));
        let r = api.rt.block_on(d.round()).expect("round");
        assert_eq!((r.delivered, r.retrying), (0, 1), "{r:?}");
        let n = notifications(db, &[]);
        assert_eq!(n[0]["state"], "pending");
        assert_eq!(n[0]["lastError"], "cannot connect");

        // Receiver up: delivered, once.
        let inbox: Inbox = Default::default();
        let listener = api
            .rt
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .expect("bind the receiver");
        api.rt.spawn(receiver(
            listener,
            Arc::new(Mutex::new(secret.clone())),
            inbox.clone(),
            false,
        ));
        rounds_until(&api, &d, |s| s.delivered == 1);
        for _ in 0..5 {
            let r = api.rt.block_on(d.round()).expect("round");
            assert_eq!(r.total(), 0, "nothing more is due: {r:?}");
        }
        let got = inbox.lock().expect("inbox").clone();
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].valid, "signature verifies: {:?}", got[0]);
        let body: Value = serde_json::from_str(&got[0].body).expect("JSON body");
        assert_eq!(body["type"], "breach.domain");
        assert_eq!(body["data"]["domain"], "contoso.de");
        assert_eq!(body["data"]["breach"]["Name"], "First");
        assert_eq!(body["data"]["counts"]["accounts"], 2);
        assert!(
            body["data"].get("addresses").is_none(),
            "addresses only when asked for"
        );
        assert!(!got[0].body.contains("alice"), "no address in the alert");
        let n = notifications(db, &["--state", "delivered"]);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0]["attempts"], 2);
        assert_eq!(n[0]["idempotencyKey"], got[0].id.as_str());

        // A tampered body, a tampered timestamp or another secret fail verification.
        let g = &got[0];
        let tampered = g.body.replace("\"accounts\":2", "\"accounts\":3");
        assert_ne!(tampered, g.body);
        assert!(!verify(
            &secret,
            &g.id,
            &g.timestamp,
            &tampered,
            &g.signature
        ));
        assert!(!verify(&secret, &g.id, "1", &g.body, &g.signature));
        let (_, other_secret) = ("", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert!(!verify(
            other_secret,
            &g.id,
            &g.timestamp,
            &g.body,
            &g.signature
        ));
        assert!(verify(&secret, &g.id, &g.timestamp, &g.body, &g.signature));

        // Re-loading the breach, even with more of the domain, does not alert again.
        ok(db, &["-q", "ingest", s(&first), "--breach", "First"]);
        let more = write_csv(dir, "c.csv", &["carol@contoso.de,x"]);
        ok(db, &["-q", "ingest", s(&more), "--breach", "First"]);
        assert_eq!(notifications(db, &[]).len(), 1);
        // A second breach naming the domain is a second alert, with its own id.
        ok(db, &["-q", "ingest", s(&more), "--breach", "Second"]);
        rounds_until(&api, &d, |s| s.delivered == 1);
        let got = inbox.lock().expect("inbox").clone();
        assert_eq!(got.len(), 2);
        assert_ne!(got[0].id, got[1].id);
        assert!(got[1].valid);
    }
);

both!(
    email_alerts_reach_an_smtp_sink,
    |dir: &Path, db: &TestDb| {
        let (owner, _) = keys(db);
        let api = Api::new(db, Config::default());
        let outbox: Outbox = Default::default();
        let smtp = api.rt.block_on(smtp_sink(outbox.clone()));
        let r = subscribe(
            &api,
            &owner,
            json!({"domain": "contoso.de", "emails": ["security@contoso.de", "ciso@contoso.de"],
               "includeAddresses": true}),
        );
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let csv = write_csv(dir, "a.csv", &["alice@contoso.de,x", "alice@contoso.de,y"]);
        ok(
            db,
            &[
                "-q",
                "ingest",
                s(&csv),
                "--breach",
                "Mailed",
                "--title",
                "Mailed CRM",
            ],
        );

        // A worker without a relay leaves the e-mail alert alone: not claimed, not
        // charged an attempt, not lost.
        let d = deliverer(&api, fast(true));
        let r = api.rt.block_on(d.round()).expect("round");
        assert_eq!(r.total(), 0, "{r:?}");
        let n = notifications(db, &[]);
        assert_eq!(n[0]["state"], "pending");
        assert_eq!(n[0]["attempts"], 0);
        assert!(outbox.lock().expect("outbox").is_empty());

        let d = deliverer(
            &api,
            DeliveryConfig {
                smtp_url: Some(format!("smtp://{smtp}")),
                mail_from: "leakdex <alerts@leakdex.test>".into(),
                ..fast(true)
            },
        );
        rounds_until(&api, &d, |s| s.delivered == 1);
        let mails = outbox.lock().expect("outbox").clone();
        assert_eq!(
            mails.len(),
            1,
            "one e-mail for all the subscription's addresses"
        );
        let (rcpt, data) = &mails[0];
        let mut rcpt = rcpt.clone();
        rcpt.sort();
        assert_eq!(rcpt, ["ciso@contoso.de", "security@contoso.de"]);
        let key = notifications(db, &[])[0]["idempotencyKey"]
            .as_str()
            .expect("key")
            .to_string();
        assert!(data.contains(&format!("<{key}@leakdex>")), "{data}");
        assert!(
            data.contains("contoso.de appears in the breach \"Mailed CRM\""),
            "{data}"
        );
        assert!(
            data.contains("Unique addresses at contoso.de:   1"),
            "{data}"
        );
        assert!(
            data.contains("alice@contoso.de  (2 occurrences"),
            "asked-for addresses are listed: {data}"
        );
        for _ in 0..3 {
            assert_eq!(api.rt.block_on(d.round()).expect("round").total(), 0);
        }
        assert_eq!(outbox.lock().expect("outbox").len(), 1, "sent once");
    }
);

both!(dead_letters_can_be_retried, |dir: &Path, db: &TestDb| {
    let (owner, _) = keys(db);
    let api = Api::new(db, Config::default());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let r = subscribe(
        &api,
        &owner,
        json!({"domain": "contoso.de", "webhookUrl": format!("http://127.0.0.1:{port}/hook")}),
    );
    let secret = r.json()["secret"].as_str().expect("secret").to_string();
    let csv = write_csv(dir, "a.csv", &["alice@contoso.de,x"]);
    ok(db, &["-q", "ingest", s(&csv), "--breach", "Dead"]);
    let d = deliverer(
        &api,
        DeliveryConfig {
            give_up: Duration::from_millis(600),
            ..fast(true)
        },
    );
    let s1 = rounds_until(&api, &d, |s| s.dead == 1);
    assert!(s1.retrying >= 1, "retried before giving up: {s1:?}");
    let failed = ok(db, &["notify", "failed", "--json"]);
    let dead: Value =
        serde_json::from_str(failed.lines().next().expect("one dead letter")).expect("JSON");
    assert_eq!(dead["state"], "dead");
    assert!(
        dead["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("cannot connect") && e.contains("gave up")),
        "{dead}"
    );
    // Dead letters stay dead…
    assert_eq!(api.rt.block_on(d.round()).expect("round").total(), 0);
    // …until retried; with the receiver up, delivered.
    let inbox: Inbox = Default::default();
    let listener = api
        .rt
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
        .expect("bind");
    api.rt.spawn(receiver(
        listener,
        Arc::new(Mutex::new(secret)),
        inbox.clone(),
        false,
    ));
    let out = ok(db, &["notify", "retry", "--all"]);
    assert!(out.contains("Queued 1"), "{out}");
    rounds_until(&api, &d, |s| s.delivered == 1);
    assert_eq!(inbox.lock().expect("inbox").len(), 1);
    assert!(inbox.lock().expect("inbox")[0].valid);
    assert_eq!(ok(db, &["notify", "failed"]).trim(), "No dead letters.");
});

both!(
    held_previewed_released_and_cancelled,
    |dir: &Path, db: &TestDb| {
        let (_, _) = keys(db);
        ok(db, &["keys", "add-domain", "--key-id", "2", "fabrikam.fr"]);
        // Subscriptions through the CLI.
        let secret = ok(
            db,
            &[
                "-q",
                "subscriptions",
                "add",
                "--key-id",
                "1",
                "--domain",
                "contoso.de",
                "--webhook",
                "http://127.0.0.1:9/hook",
                "--email",
                "security@contoso.de",
            ],
        );
        assert!(secret.trim().starts_with("whsec_"), "{secret}");
        assert_eq!(
            ok(db, &["subscriptions", "secret", "1"]).trim(),
            secret.trim()
        );
        ok(
            db,
            &[
                "-q",
                "subscriptions",
                "add",
                "--key-id",
                "2",
                "--domain",
                "fabrikam.fr",
                "--webhook",
                "http://127.0.0.1:9/hook",
            ],
        );
        let o = run(&[
            "--db",
            db.url.as_str(),
            "subscriptions",
            "add",
            "--key-id",
            "2",
            "--domain",
            "contoso.de",
            "--webhook",
            "http://127.0.0.1:9/hook",
        ]);
        assert_eq!(o.status.code(), Some(2), "unverified domain refused");
        assert!(String::from_utf8_lossy(&o.stderr).contains("has not verified contoso.de"));

        let csv = write_csv(
            dir,
            "a.csv",
            &[
                "alice@contoso.de,x",
                "bob@contoso.de,y",
                "zoe@fabrikam.fr,z",
                "x@other.nl,w",
            ],
        );
        let out = ok(
            db,
            &["ingest", s(&csv), "--breach", "Held", "--hold-alerts"],
        );
        assert!(
            out.contains("3 alerts to subscribed domains are held"),
            "{out}"
        );
        let preview = ok(db, &["notify", "preview", "Held"]);
        assert!(
            preview.contains("alerts 2 subscribed domains of 2 organisations"),
            "{preview}"
        );
        assert!(!preview.contains("other.nl"), "{preview}");
        let rows: Vec<Value> = ok(db, &["notify", "preview", "Held", "--json"])
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect();
        assert_eq!(rows[0]["domain"], "contoso.de");
        assert_eq!(rows[0]["organization"], "contoso");
        assert_eq!(rows[0]["accounts"], 2);
        assert_eq!(rows[0]["deliveries"][0][2], "held");
        assert_eq!(rows[1]["domain"], "fabrikam.fr");

        // Held alerts are not delivered.
        let api = Api::new(db, Config::default());
        let d = deliverer(&api, fast(false));
        assert_eq!(api.rt.block_on(d.round()).expect("round").total(), 0);

        // Removing a subscription cancels what it owes; revoking a key too.
        ok(db, &["subscriptions", "remove", "1"]);
        assert_eq!(notifications(db, &["--state", "cancelled"]).len(), 2);
        let out = ok(db, &["notify", "release", "Held"]);
        assert!(out.contains("Released 1"), "{out}");
        ok(db, &["keys", "revoke", "2"]);
        let r = api.rt.block_on(d.round()).expect("round");
        assert_eq!(r.cancelled, 1, "{r:?}");
        let n = notifications(db, &["--state", "cancelled"]);
        assert_eq!(n.len(), 3);
        assert!(n.iter().any(|x| x["lastError"] == "key revoked"), "{n:?}");
        assert_eq!(notifications(db, &["--state", "pending"]).len(), 0);
    }
);

both!(
    private_addresses_and_retired_breaches,
    |dir: &Path, db: &TestDb| {
        let (owner, _) = keys(db);
        let api = Api::new(db, Config::default());
        let r = subscribe(
            &api,
            &owner,
            json!({"domain": "contoso.de", "webhookUrl": "http://169.254.169.254/latest/meta-data"}),
        );
        assert_eq!(r.status, StatusCode::CREATED);
        let csv = write_csv(dir, "a.csv", &["alice@contoso.de,x"]);
        ok(db, &["-q", "ingest", s(&csv), "--breach", "Later"]);
        assert_eq!(notifications(db, &[]).len(), 1);
        ok(
            db,
            &[
                "-q",
                "ingest",
                s(&csv),
                "--breach",
                "Quiet",
                "--hold-alerts",
            ],
        );
        ok(db, &["breach", "update", "Quiet", "--retired"]);
        ok(db, &["notify", "release", "Quiet"]);
        let d = deliverer(&api, fast(false));
        let r = rounds_until(&api, &d, |s| s.total() == 2);
        // The metadata address is refused without a connection; the alert of the breach
        // retired before it went out is cancelled.
        assert_eq!((r.dead, r.cancelled), (1, 1), "{r:?}");
        let dead = notifications(db, &["--state", "dead"]);
        assert_eq!(dead[0]["lastError"], "the webhook address is not public");
        assert_eq!(dead[0]["breach"], "Later");
        // Out of retirement, the breach shows again: its never-sent alert is owed again
        // (the same row: one per subscription and breach, ever).
        ok(db, &["breach", "update", "Quiet", "--no-retired"]);
        let n = notifications(db, &["--breach", "Quiet"]);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0]["state"], "pending");
    }
);

both!(no_back_fill_and_a_cap, |dir: &Path, db: &TestDb| {
    let (owner, _) = keys(db);
    let api = Api::new(db, Config::default());
    let csv = write_csv(dir, "a.csv", &["alice@contoso.de,x"]);
    ok(db, &["-q", "ingest", s(&csv), "--breach", "Before"]);
    let body = json!({"domain": "contoso.de", "webhookUrl": "https://hooks.contoso.de/x"});
    assert_eq!(
        subscribe(&api, &owner, body.clone()).status,
        StatusCode::CREATED
    );
    // More of a breach loaded before the subscription, naming the domain again, and an
    // "un-retire" of a breach that was never retired: nothing is newly shown.
    let more = write_csv(dir, "b.csv", &["bob@contoso.de,x", "zoe@fabrikam.fr,y"]);
    ok(db, &["-q", "ingest", s(&more), "--breach", "Before"]);
    ok(db, &["breach", "update", "Before", "--no-retired"]);
    assert_eq!(notifications(db, &[]).len(), 0);
    // A breach after the subscription is.
    ok(db, &["-q", "ingest", s(&csv), "--breach", "After"]);
    assert_eq!(notifications(db, &[]).len(), 1);
    // At most ten active subscriptions per key and domain.
    for _ in 1..10 {
        assert_eq!(
            subscribe(&api, &owner, body.clone()).status,
            StatusCode::CREATED
        );
    }
    let r = subscribe(&api, &owner, body);
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("at most 10"), "{}", r.text());
});
