//! `leakdex serve` as a process: the published `hibp` npm client (unmodified but for its
//! base URL) and the OpenAPI contract test (schemathesis) drive it over a real socket; the
//! access log holds no address; SIGTERM stops it gracefully; TLS works.

use crate::api::fixture;
use crate::index::{ok, TestDb};
use crate::util::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `leakdex serve` on a port the system chose.
struct Server {
    child: Child,
    base: String,
    /// The server's stderr (its access log) goes to a file: a pipe nobody reads would
    /// fill and stall the server.
    log: tempfile::NamedTempFile,
}

impl Server {
    fn start(db: &TestDb, extra: &[&str]) -> Server {
        let log = tempfile::NamedTempFile::new().expect("log file");
        let mut child = bin()
            .args(["--db", db.url.as_str(), "serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .env("LEAKDEX_LOG", "warn,leakdex::access=info")
            .stdout(Stdio::piped())
            .stderr(log.reopen().expect("log file"))
            .spawn()
            .expect("start leakdex serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("first line");
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        Server { child, base, log }
    }

    /// SIGTERM; returns (exit success, stderr).
    fn stop(&mut self) -> (bool, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().expect("wait");
        let err = std::fs::read_to_string(self.log.path()).unwrap_or_default();
        (status.success(), err)
    }
}

/// A test that fails half-way must not leave its server running.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sha1_prefix(s: &str) -> String {
    use sha1::{Digest, Sha1};
    Sha1::digest(s.as_bytes())
        .iter()
        .take(3)
        .map(|b| format!("{b:02X}"))
        .collect()
}

both!(published_client_and_contract, |dir: &Path, db: &TestDb| {
    let f = fixture(dir, db);
    // The contract test sends ~250 requests to key-less routes: lift the per-IP limit.
    let mut server = Server::start(db, &["--ip-rpm", "1000000"]);
    // The npm `hibp` client, base URL changed and nothing else.
    let harness = repo().join("tests/hibp-client");
    assert!(
        harness.join("node_modules/hibp").is_dir(),
        "the hibp npm client is not installed: run `npm ci --prefix tests/hibp-client` (scripts/test does)"
    );
    let out = Command::new("node")
        .arg(harness.join("check.mjs"))
        .env("LEAKDEX_BASE", &server.base)
        .env("LEAKDEX_KEY", &f.key)
        .env("LEAKDEX_BREACH", "Contoso")
        .env("LEAKDEX_ACCOUNT", &f.email)
        .env("LEAKDEX_MISSING", "nobody@example.invalid")
        .output()
        .expect("node (Node.js 20) is needed for this test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "hibp client: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 failed"), "{stdout}");
    // The OpenAPI contract: every documented route answers as documented.
    let big = crate::index::ok(
        db,
        &[
            "-q", "keys", "create", "--label", "contract", "--rpm", "1000000",
        ],
    );
    crate::index::ok(db, &["keys", "add-domain", "--key-id", "3", &f.domain]);
    let out = Command::new(repo().join("scripts/contract-test"))
        .args([server.base.as_str(), big.trim()])
        // Real values for half the generated path parameters, so 200 answers are checked.
        .env("CONTRACT_ACCOUNT", &f.email)
        .env("CONTRACT_BREACH", "Contoso")
        .env("CONTRACT_DOMAIN", &f.domain)
        .output()
        .expect("scripts/contract-test");
    assert!(
        out.status.success(),
        "contract test failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // A range lookup is logged with its prefix; an account lookup never with the address.
    let prefix = sha1_prefix(&f.email);
    let ok = Command::new("curl")
        .args(["-sf", "-A", "t", "-H", &format!("hibp-api-key: {}", f.key)])
        .arg(format!(
            "{}/api/v3/breachedaccount/range/{prefix}",
            server.base
        ))
        .status()
        .expect("curl");
    assert!(ok.success());
    let (clean, log) = server.stop();
    assert!(clean, "SIGTERM must stop the server cleanly:\n{log}");
    assert!(
        log.contains(&format!("/api/v3/breachedaccount/range/{prefix}")),
        "{log}"
    );
    assert!(log.contains("/api/v3/breachedaccount/{account}"), "{log}");
    assert!(
        !log.to_lowercase().contains(&f.email),
        "an address reached the access log"
    );
    assert!(!log.contains(&f.key), "a key reached the access log");
});

#[test]
fn tls() {
    let dir = tempdir();
    let db = TestDb::sqlite(dir.path());
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-keyout", s(&key), "-out", s(&cert)])
        .output()
        .expect("openssl (Debian's openssl package) is needed for this test");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let mut server = Server::start(&db, &["--tls-cert", s(&cert), "--tls-key", s(&key)]);
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let out = Command::new("curl")
        .args(["-sS", "--cacert", s(&cert)])
        .arg(format!("{}/healthz", server.base))
        .output()
        .expect("curl");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Plain HTTP on the TLS port is refused.
    let plain = server.base.replace("https://", "http://");
    let out = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
        .arg(format!("{plain}/healthz"))
        .output()
        .expect("curl");
    assert_ne!(String::from_utf8_lossy(&out.stdout), "200");
    let (clean, log) = server.stop();
    assert!(clean, "{log}");
}

/// A free loopback port (bound, read, released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

both!(web_ui_in_chromium, |dir: &Path, db: &TestDb| {
    let (corpus, truth) = generate(dir, 5, 8, None);
    crate::index::ok(
        db,
        &[
            "-q",
            "ingest",
            s(&corpus),
            "--breach",
            "Contoso",
            "--title",
            "Contoso CRM backup",
        ],
    );
    let key = crate::index::ok(
        db,
        &["-q", "keys", "create", "--label", "web", "--rpm", "100000"],
    )
    .trim()
    .to_string();
    let emails: Vec<&str> = truth["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    // The domain with the most addresses, and one of its addresses.
    let mut per: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for e in &emails {
        let host = e.rsplit_once('@').expect("@").1;
        if let Some(d) = leakdex_core::registrable_domain(host) {
            per.entry(d).or_default().push(e);
        }
    }
    let (domain, at) = per
        .iter()
        .max_by_key(|(d, v)| (v.len(), std::cmp::Reverse((*d).clone())))
        .expect("a domain");
    let email = at
        .iter()
        .find(|e| e.ends_with(&format!("@{domain}")))
        .expect("an address on the domain itself");
    let web_port = free_port();
    let mut server = Server::start(
        db,
        &[
            "--ip-rpm",
            "1000000",
            "--verify-http-scheme",
            "http",
            "--verify-http-port",
            &web_port.to_string(),
            "--verify-http-connect",
            "127.0.0.1",
        ],
    );
    let harness = repo().join("tests/web");
    assert!(
        harness.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix tests/web` (scripts/test does)"
    );
    let which = if db.url.starts_with("sqlite") {
        "sqlite"
    } else {
        "postgres"
    };
    let artifacts = repo().join("tests/web/artifacts").join(which);
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let out = Command::new("node")
        .arg(harness.join("e2e.mjs"))
        .env("LEAKDEX_BASE", &server.base)
        .env("LEAKDEX_KEY", &key)
        .env("LEAKDEX_EMAIL", email)
        .env("LEAKDEX_BREACH", "Contoso")
        .env("LEAKDEX_DOMAIN", domain)
        .env("LEAKDEX_DOMAIN_ACCOUNTS", at.len().to_string())
        .env("LEAKDEX_MISSING", "nobody@example.invalid")
        .env("WELLKNOWN_PORT", web_port.to_string())
        .env("ARTIFACTS", &artifacts)
        .output()
        .expect("node (Node.js 20) is needed for this test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "web e2e (screenshots in {}):\n{stdout}\n{}",
        artifacts.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    let shots = std::fs::read_dir(&artifacts).expect("artifacts").count();
    assert!(
        shots >= 5,
        "a screenshot of each page: {shots} in {}",
        artifacts.display()
    );
    // The server saw the hash prefix, never the address.
    let (clean, log) = server.stop();
    assert!(clean, "{log}");
    assert!(log.contains("/api/v1/range/"), "{log}");
    assert!(
        !log.to_lowercase().contains(&email.to_lowercase()),
        "the address reached the server's log"
    );
});

/// `leakdex demo` from nothing: corpus, index, key, banner, server; a re-run reuses all.
#[test]
fn demo_from_scratch_and_again() {
    let dir = tempdir();
    let demo_dir = dir.path().join("demo");
    let mut keys = Vec::new();
    for _ in 0..2 {
        let mut child = bin()
            .args([
                "demo",
                "--dir",
                s(&demo_dir),
                "--addr",
                "127.0.0.1:0",
                "--orgs",
                "6",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start leakdex demo");
        let mut banner = String::new();
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("demo output ended early")
                .expect("line");
            banner.push_str(&line);
            banner.push('\n');
            if let Some(rest) = line.strip_prefix("leakdex: serving on ") {
                break rest.split_whitespace().next().expect("url").to_string();
            }
        };
        let key = banner
            .split_whitespace()
            .find(|w| w.starts_with("ldx_"))
            .unwrap_or_else(|| panic!("no key in the banner:\n{banner}"))
            .to_string();
        assert!(
            banner.contains("/domains/") && banner.contains("Check "),
            "{banner}"
        );
        let page = Command::new("curl")
            .args(["-sf", &format!("{base}/breaches/ContosoCrmDemo")])
            .output()
            .expect("curl");
        assert!(
            page.status.success()
                && String::from_utf8_lossy(&page.stdout).contains("chart-data-classes")
        );
        let status = Command::new("curl")
            .args([
                "-sf",
                "-A",
                "t",
                "-H",
                &format!("hibp-api-key: {key}"),
                &format!("{base}/api/v3/subscribeddomains"),
            ])
            .output()
            .expect("curl");
        assert!(
            String::from_utf8_lossy(&status.stdout).contains("DomainName"),
            "the demo key has a verified domain"
        );
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        assert!(child.wait().expect("wait").success());
        keys.push(key);
    }
    assert_eq!(keys[0], keys[1], "a re-run reuses the demo key");
    assert_eq!(
        std::fs::read_to_string(demo_dir.join("demo-key.txt"))
            .expect("key file")
            .trim(),
        keys[0]
    );
}

both!(
    alert_survives_a_server_killed_mid_delivery,
    |dir: &Path, db: &TestDb| {
        use crate::alerts::{receiver, Inbox};
        use std::sync::{Arc, Mutex};
        use std::time::{Duration, Instant};
        ok(db, &["-q", "keys", "create", "--label", "owner"]);
        ok(db, &["keys", "add-domain", "--key-id", "1", "contoso.de"]);
        let rt = crate::api::runtime();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
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
                &format!("http://127.0.0.1:{port}/hook"),
            ],
        );
        let inbox: Inbox = Default::default();
        // The receiver takes the first POST's body and never answers it.
        rt.spawn(receiver(
            listener,
            Arc::new(Mutex::new(secret.trim().to_string())),
            inbox.clone(),
            true,
        ));
        let csv = dir.join("a.csv");
        std::fs::write(&csv, "email\nalice@contoso.de\n").expect("write");
        ok(db, &["-q", "ingest", s(&csv), "--breach", "Killed"]);
        let flags = [
            "--webhook-allow-private",
            "--alert-poll",
            "100ms",
            "--alert-timeout",
            "3s",
            "--alert-retry-base",
            "200ms",
        ];
        let wait = |what: &str, cond: &dyn Fn() -> bool| {
            let start = Instant::now();
            while !cond() {
                assert!(
                    start.elapsed() < Duration::from_secs(90),
                    "timed out waiting for {what}"
                );
                std::thread::sleep(Duration::from_millis(10));
            }
        };
        let mut server = Server::start(db, &flags);
        wait("the first POST", &|| {
            inbox.lock().expect("inbox").len() == 1
        });
        // Killed while the receiver holds the request: no answer was recorded.
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("wait");
        let state = |db: &TestDb| -> serde_json::Value {
            let out = ok(db, &["notify", "list", "--json"]);
            serde_json::from_str(out.lines().next().expect("one alert")).expect("JSON")
        };
        let n = state(db);
        assert_eq!(n["state"], "sending", "{n}");
        assert_eq!(n["attempts"], 1);

        // Restarted: once the dead attempt's lease runs out, the alert goes again.
        let mut server = Server::start(db, &flags);
        wait("the redelivery", &|| state(db)["state"] == "delivered");
        std::thread::sleep(Duration::from_millis(500));
        let (stopped, _) = server.stop();
        assert!(stopped);
        let got = inbox.lock().expect("inbox").clone();
        assert_eq!(got.len(), 2, "one POST per attempt: {got:?}");
        assert!(got.iter().all(|g| g.valid), "{got:?}");
        assert_eq!(got[0].id, got[1].id, "the same idempotency key");
        assert_eq!(got[0].body, got[1].body, "the same bytes");
        let distinct: std::collections::BTreeSet<&str> =
            got.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(
            distinct.len(),
            1,
            "delivered exactly once, by idempotency key"
        );
        assert_eq!(state(db)["attempts"], 2);
    }
);
