//! `leakdex audit` against real emulators on loopback — Azurite (containers at the three
//! access levels), moto's S3 server (public and private buckets) and gcp-storage-emulator —
//! and a canned-response server for the codes no emulator produces (AllAccessDisabled,
//! PublicAccessNotPermitted, a region redirect, SlowDown, 429 with Retry-After). `--scan`
//! over an emulated container holding a generated corpus finds the same unique e-mail
//! addresses as a local scan of the same files. Nothing but 127.0.0.1 is ever addressed.
//!
//! The emulators are installed by `tests/cloud/install` (scripts/test runs it).

use crate::util::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn venv_bin(name: &str) -> PathBuf {
    let venv = std::env::var_os("LEAKDEX_CLOUD_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/leakdex-cloud-venv")
        });
    let p = venv.join("bin").join(name);
    assert!(
        p.exists(),
        "{} is missing: run tests/cloud/install (scripts/test does)",
        p.display()
    );
    p
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process killed when dropped.
struct Emulator {
    child: Child,
    url: String,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(mut cmd: Command, port: u16, log: &Path) -> Emulator {
    let f = std::fs::File::create(log).expect("log file");
    let child = cmd
        .stdin(Stdio::null())
        .stdout(f.try_clone().expect("log"))
        .stderr(f)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e} (run tests/cloud/install)"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{cmd:?} did not listen on {port}: see {}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Emulator {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

fn azurite(dir: &Path) -> Emulator {
    let port = free_port();
    let bin = repo().join("tests/cloud/node_modules/.bin/azurite-blob");
    assert!(
        bin.exists(),
        "{} is missing: run tests/cloud/install",
        bin.display()
    );
    let mut c = Command::new(bin);
    c.args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
        .args([
            "--inMemoryPersistence",
            "--loose",
            "--skipApiVersionCheck",
            "--disableTelemetry",
        ])
        .current_dir(dir);
    start(c, port, &dir.join("azurite.log"))
}

fn moto(dir: &Path) -> Emulator {
    let port = free_port();
    let mut c = Command::new(venv_bin("moto_server"));
    c.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    start(c, port, &dir.join("moto.log"))
}

fn gcs(dir: &Path) -> Emulator {
    let port = free_port();
    let mut c = Command::new(venv_bin("gcp-storage-emulator"));
    c.args([
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--in-memory",
    ]);
    start(c, port, &dir.join("gcs.log"))
}

fn setup(cmd: &mut Command) {
    let out = cmd.output().expect("setup script runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `leakdex audit --json ARGS` → the outcomes.
fn audit(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["audit", "--json", "-q"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(
        out.status.success(),
        "leakdex {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .expect("audit --json prints a JSON array")
        .as_array()
        .expect("an array")
        .clone()
}

fn access(o: &serde_json::Value) -> &str {
    o["access"].as_str().unwrap_or("?")
}

/// A small generated corpus and its local scan's unique e-mail count.
fn corpus(dir: &Path) -> (PathBuf, u64, u64) {
    let (c, _) = generate(dir, 12, 6, None);
    let local = scan_json(&[s(&c)]);
    (
        c,
        count(&local, "emails", "unique"),
        count(&local, "documents", "unique"),
    )
}

#[test]
fn azurite_containers_at_three_access_levels() {
    let dir = tempdir();
    let (c, emails, documents) = corpus(dir.path());
    let az = azurite(dir.path());
    setup(
        Command::new("node")
            .arg(repo().join("tests/cloud/setup-azure.mjs"))
            .arg(&az.url)
            .arg(&c),
    );
    let t = |name: &str| format!("az://devstoreaccount1/{name}");
    let out = audit(&[
        "--azure-endpoint",
        &az.url,
        "--object",
        "exports/customers.csv",
        "--scan",
        &t("open-container"),
        &t("blob-only"),
        &t("private-data"),
    ]);
    assert_eq!(access(&out[0]), "listable", "{}", out[0]);
    assert_eq!(access(&out[1]), "readable", "{}", out[1]);
    assert_eq!(access(&out[2]), "private", "{}", out[2]);
    // The evidence: the listing's status and Azure's error code.
    assert_eq!(out[0]["evidence"][0]["status"], 200);
    assert_eq!(out[2]["evidence"][0]["status"], 403);
    assert!(out[2]["evidence"][0]["code"].is_string(), "{}", out[2]);
    // The listing's statistics, without names.
    let l = &out[0]["listing"];
    assert!(l["objects"].as_u64() > Some(20), "{l}");
    assert!(l["extensions"]["eml"].as_u64() > Some(0), "{l}");
    assert!(
        l["newest"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{l}"
    );
    assert!(
        l.get("names").is_none(),
        "names are printed only with --show-names"
    );
    // --scan streamed the container into the scanner: the same people as a local scan.
    let scan = &out[0]["scan"];
    assert_eq!(
        scan["counts"]["emails"]["unique"].as_u64(),
        Some(emails),
        "{scan}"
    );
    assert_eq!(
        scan["counts"]["documents"]["unique"].as_u64(),
        Some(documents),
        "{scan}"
    );
    assert!(scan["data_classes"].to_string().contains("Email addresses"));
    assert!(scan["sensitivity"]["score"].as_u64() > Some(50), "{scan}");
    // The blob-level container: only the object named was read and scanned.
    assert_eq!(out[1]["readable_objects"], 1);
    assert!(
        out[1]["scan"]["counts"]["emails"]["unique"].as_u64() > Some(0),
        "{}",
        out[1]
    );
}

#[test]
fn moto_buckets_public_and_private() {
    let dir = tempdir();
    let (c, emails, _) = corpus(dir.path());
    let m = moto(dir.path());
    setup(
        Command::new(venv_bin("python"))
            .arg(repo().join("tests/cloud/setup_s3.py"))
            .arg(&m.url)
            .arg(&c),
    );
    let out = audit(&[
        "--s3-endpoint",
        &m.url,
        "--scan",
        "--sample",
        "random",
        "s3://open-bucket",
        "s3://private-bucket",
        "s3://no-such-bucket",
    ]);
    assert_eq!(access(&out[0]), "listable", "{}", out[0]);
    assert_eq!(out[0]["objects_readable"], true);
    assert_eq!(
        out[0]["scan"]["counts"]["emails"]["unique"].as_u64(),
        Some(emails)
    );
    // moto lets anyone list a private bucket (a known emulator gap), but honours the
    // objects' private ACL: the audit says so and reads nothing.
    assert_eq!(out[1]["objects_readable"], false, "{}", out[1]);
    assert!(out[1].get("scan").is_none(), "{}", out[1]);
    assert_eq!(access(&out[2]), "not_found");
    assert_eq!(out[2]["evidence"][0]["code"], "NoSuchBucket");
    // --ingest: what --scan reads goes into the index like a local ingest; twice, same.
    let db = format!("sqlite://{}", s(&dir.path().join("cloud.db")));
    for _ in 0..2 {
        let out = run(&[
            "--db",
            &db,
            "audit",
            "-q",
            "--s3-endpoint",
            &m.url,
            "--scan",
            "--ingest",
            "--breach",
            "CloudLeak",
            "s3://open-bucket",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let show = run(&["--db", &db, "breach", "show", "CloudLeak", "--json"]);
        let b: serde_json::Value = serde_json::from_slice(&show.stdout).expect("breach JSON");
        assert_eq!(b["PwnCount"].as_u64(), Some(emails), "{b}");
    }
    // --org: candidate names from a keyword and a word list, audited against the endpoint.
    let words = dir.path().join("words.txt");
    std::fs::write(&words, "bucket\n").unwrap();
    let out = audit(&[
        "--s3-endpoint",
        &m.url,
        "--org",
        "open",
        "--wordlist",
        s(&words),
    ]);
    let hit: Vec<&serde_json::Value> = out.iter().filter(|o| access(o) == "listable").collect();
    assert_eq!(hit.len(), 1, "{out:?}");
    assert_eq!(hit[0]["target"], "s3://open-bucket");
    assert!(out.iter().all(|o| o["provider"] == "s3"));
}

#[test]
fn gcs_emulator_bucket() {
    let dir = tempdir();
    let (c, emails, _) = corpus(dir.path());
    let g = gcs(dir.path());
    setup(
        Command::new(venv_bin("python"))
            .arg(repo().join("tests/cloud/setup_gcs.py"))
            .arg(&g.url)
            .arg("open-gcs")
            .arg(&c),
    );
    let targets = dir.path().join("targets.txt");
    std::fs::write(&targets, "# from a file\ngs://open-gcs\ngs://missing-gcs\n").unwrap();
    let out = audit(&["--gcs-endpoint", &g.url, "--scan", "-f", s(&targets)]);
    assert_eq!(access(&out[0]), "listable", "{}", out[0]);
    assert_eq!(
        out[0]["scan"]["counts"]["emails"]["unique"].as_u64(),
        Some(emails)
    );
    assert_eq!(access(&out[1]), "not_found");
    // Names appear only when asked for.
    let plain = run(&["audit", "-q", "--gcs-endpoint", &g.url, "gs://open-gcs"]);
    let text = String::from_utf8_lossy(&plain.stdout);
    assert!(!text.contains("customers.csv"), "{text}");
    let named = run(&[
        "audit",
        "-q",
        "--show-names",
        "--gcs-endpoint",
        &g.url,
        "gs://open-gcs",
    ]);
    assert!(String::from_utf8_lossy(&named.stdout).contains("exports/customers.csv"));
}

/// A loopback server answering each path with canned responses in turn (the last one
/// repeats). Counts requests per path.
struct Canned {
    port: u16,
    hits: Arc<AtomicU32>,
}

fn canned(routes: Vec<(&'static str, Vec<String>)>) -> Canned {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let hits = Arc::new(AtomicU32::new(0));
    let h = Arc::clone(&hits);
    let counters: Vec<AtomicU32> = routes.iter().map(|_| AtomicU32::new(0)).collect();
    std::thread::spawn(move || {
        for stream in l.incoming().flatten() {
            h.fetch_add(1, Ordering::SeqCst);
            let mut r = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut hdr = String::new();
                if r.read_line(&mut hdr).is_err() || hdr == "\r\n" || hdr.is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let mut resp = "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_string();
            for (i, (prefix, answers)) in routes.iter().enumerate() {
                if path.starts_with(prefix) {
                    let n = counters[i].fetch_add(1, Ordering::SeqCst) as usize;
                    resp = answers[n.min(answers.len() - 1)].clone();
                    break;
                }
            }
            let mut w = stream;
            let _ = w.write_all(resp.as_bytes());
            let _ = w.flush();
            let mut rest = Vec::new();
            let _ = r
                .get_mut()
                .set_read_timeout(Some(Duration::from_millis(10)));
            let _ = r.read_to_end(&mut rest);
        }
    });
    Canned { port, hits }
}

fn http(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut s = format!(
        "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s.push_str(body);
    s
}

#[test]
fn canned_codes_no_emulator_produces() {
    let xml = |code: &str| {
        format!("<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>x</Message></Error>")
    };
    let listing = "<?xml version=\"1.0\"?><ListBucketResult><Name>b</Name><Contents><Key>a.csv</Key><LastModified>2024-02-01T10:00:00.000Z</LastModified><Size>7</Size></Contents><IsTruncated>false</IsTruncated></ListBucketResult>";
    let server = canned(vec![
        (
            "/disabled-bucket",
            vec![http(
                "403 Forbidden",
                &[("content-type", "application/xml")],
                &xml("AllAccessDisabled"),
            )],
        ),
        ("/moved-bucket/a.csv", vec![http("200 OK", &[], "a,b\n")]),
        (
            "/moved-bucket",
            vec![
                http(
                    "301 Moved Permanently",
                    &[("x-amz-bucket-region", "eu-central-1")],
                    &xml("PermanentRedirect"),
                ),
                http("200 OK", &[("content-type", "application/xml")], listing),
            ],
        ),
        ("/slow-bucket/a.csv", vec![http("200 OK", &[], "a,b\n")]),
        (
            "/slow-bucket",
            vec![
                http("503 Slow Down", &[], &xml("SlowDown")),
                http("429 Too Many Requests", &[("retry-after", "1")], ""),
                http("200 OK", &[("content-type", "application/xml")], listing),
            ],
        ),
        (
            "/acct/locked",
            vec![http(
                "409 Public access is not permitted",
                &[("x-ms-error-code", "PublicAccessNotPermitted")],
                "",
            )],
        ),
    ]);
    let ep = format!("http://127.0.0.1:{}", server.port);
    let started = Instant::now();
    let out = audit(&[
        "--s3-endpoint",
        &ep,
        "--azure-endpoint",
        &ep,
        "s3://disabled-bucket",
        "s3://moved-bucket",
        "s3://slow-bucket",
        "az://acct/locked",
    ]);
    assert_eq!(access(&out[0]), "access_disabled", "{}", out[0]);
    assert_eq!(out[0]["evidence"][0]["code"], "AllAccessDisabled");
    assert_eq!(access(&out[1]), "listable", "{}", out[1]);
    assert_eq!(out[1]["region"], "eu-central-1");
    assert_eq!(out[1]["evidence"][0]["status"], 301);
    assert_eq!(access(&out[2]), "listable", "{}", out[2]);
    assert_eq!(
        out[2]["evidence"][0]["attempts"], 3,
        "SlowDown and 429 were retried"
    );
    assert_eq!(access(&out[3]), "access_disabled", "{}", out[3]);
    assert_eq!(out[3]["evidence"][0]["code"], "PublicAccessNotPermitted");
    // Retry-After: 1 was honoured (a bound only; never a performance assertion).
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(server.hits.load(Ordering::SeqCst) >= 8);
}

#[test]
fn bad_targets_are_usage_errors() {
    let out = run(&["audit", "ftp://x"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("az://"));
    let out = run(&["audit"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no targets"));
}

/// A DNS server on loopback (a thread) answering A queries for `names` with 127.0.0.1 and
/// NXDOMAIN for every other name.
fn dns_a(names: Vec<String>) -> std::net::SocketAddr {
    use hickory_proto::op::{Message, MessageType, ResponseCode};
    use hickory_proto::rr::rdata::A;
    use hickory_proto::rr::{RData, Record, RecordType};
    use hickory_proto::serialize::binary::{BinDecodable, BinEncodable};
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let addr = sock.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, peer)) = sock.recv_from(&mut buf) {
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
            let mut known = false;
            for query in q.queries() {
                resp.add_query(query.clone());
                let name = query.name().to_ascii().trim_end_matches('.').to_lowercase();
                if names.contains(&name) {
                    known = true;
                    if query.query_type() == RecordType::A {
                        resp.add_answer(Record::from_rdata(
                            query.name().clone(),
                            60,
                            RData::A(A::new(127, 0, 0, 1)),
                        ));
                    }
                }
            }
            if !known {
                resp.set_response_code(ResponseCode::NXDomain);
            }
            if let Ok(bytes) = resp.to_bytes() {
                let _ = sock.send_to(&bytes, peer);
            }
        }
    });
    addr
}

#[test]
fn org_checks_azure_accounts_by_dns_first() {
    let dir = tempdir();
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("note.txt"), "reach dana@contoso.de\n").unwrap();
    let az = azurite(dir.path());
    setup(
        Command::new("node")
            .arg(repo().join("tests/cloud/setup-azure.mjs"))
            .arg(&az.url)
            .arg(&files),
    );
    // Only the emulator's account exists in this DNS.
    let dns = dns_a(vec!["devstoreaccount1.blob.core.windows.net".into()]);
    let words = dir.path().join("words.txt");
    std::fs::write(&words, "backup\n").unwrap();
    let out = audit(&[
        "--azure-endpoint",
        &az.url,
        "--dns-server",
        &dns.to_string(),
        "--org",
        "devstoreaccount1",
        "--wordlist",
        s(&words),
    ]);
    assert!(out.iter().all(|o| o["provider"] == "azure"), "{out:?}");
    let open: Vec<&str> = out
        .iter()
        .filter(|o| access(o) == "listable")
        .filter_map(|o| o["target"].as_str())
        .collect();
    assert_eq!(open, ["az://devstoreaccount1/public"], "{out:?}");
    // Accounts that do not resolve are not_found on DNS evidence alone: no HTTP request.
    let missing = out
        .iter()
        .find(|o| o["target"] == "az://devstoreaccount1backup/public")
        .expect("a candidate account");
    assert_eq!(access(missing), "not_found");
    assert_eq!(missing["evidence"].as_array().map(Vec::len), Some(1));
    assert_eq!(missing["evidence"][0]["request"], "dns");
}
