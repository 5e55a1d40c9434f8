//! `leakdex serve` as a process: the published `hibp` npm client (unmodified but for its
//! base URL) and the OpenAPI contract test (schemathesis) drive it over a real socket; the
//! access log holds no address; SIGTERM stops it gracefully; TLS works.

use crate::api::fixture;
use crate::index::TestDb;
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
    fn stop(mut self) -> (bool, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().expect("wait");
        let err = std::fs::read_to_string(self.log.path()).unwrap_or_default();
        (status.success(), err)
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
    let server = Server::start(db, &["--ip-rpm", "1000000"]);
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
    let server = Server::start(&db, &["--tls-cert", s(&cert), "--tls-key", s(&key)]);
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
