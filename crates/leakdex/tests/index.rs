//! The exposure index (`ingest`, `breach`, `search`), end to end, against SQLite **and**
//! PostgreSQL: counts equal the generator's truth, loads are idempotent, incremental and
//! resumable after SIGKILL, nothing but metadata is stored, catalogue edits work.
//!
//! PostgreSQL comes from `LEAKDEX_TEST_PG` (an admin URL, default
//! `postgres://postgres@127.0.0.1:5432/test`); each test creates and drops its own
//! database. With no server the PostgreSQL tests fail, saying how to start one.

use crate::util::*;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A fresh index for one test.
pub struct TestDb {
    pub url: String,
    sqlite: Option<PathBuf>,
    pg: Option<(String, String)>,
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

impl TestDb {
    pub fn sqlite(dir: &Path) -> TestDb {
        let file = dir.join("index.db");
        TestDb {
            url: format!("sqlite://{}", s(&file)),
            sqlite: Some(file),
            pg: None,
        }
    }

    pub fn postgres() -> TestDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("LEAKDEX_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_string());
        let name = format!(
            "leakdex_test_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        if let Err(e) = rt().block_on(leakdex_index::admin::create_database(&admin, &name)) {
            panic!(
                "PostgreSQL is needed for this test and did not answer at {admin}: {e}\n\
                 Start one with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`\n\
                 (trust auth for postgres@127.0.0.1), or point LEAKDEX_TEST_PG at an admin URL."
            );
        }
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        TestDb {
            url: format!("{base}/{name}"),
            sqlite: None,
            pg: Some((admin, name)),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            let _ = rt().block_on(leakdex_index::admin::drop_database(admin, name));
        }
    }
}

/// Runs a test body once against SQLite and once against PostgreSQL.
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn sqlite() {
                let dir = tempdir();
                let db = TestDb::sqlite(dir.path());
                ($body)(dir.path(), &db);
            }
            #[test]
            fn postgres() {
                let dir = tempdir();
                let db = TestDb::postgres();
                ($body)(dir.path(), &db);
            }
        }
    };
}

fn with_db(db: &TestDb, args: &[&str]) -> Output {
    let mut all = vec!["--db", db.url.as_str()];
    all.extend_from_slice(args);
    run(&all)
}

pub fn ok(db: &TestDb, args: &[&str]) -> String {
    let o = with_db(db, args);
    assert!(
        o.status.success(),
        "leakdex {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

fn ingest(db: &TestDb, sources: &[&Path], breach: &str) -> String {
    let mut args = vec!["-q", "ingest", "--breach", breach];
    args.extend(sources.iter().map(|p| s(p)));
    ok(db, &args)
}

fn show(db: &TestDb, breach: &str) -> serde_json::Value {
    serde_json::from_str(&ok(db, &["breach", "show", breach, "--json"])).expect("show --json")
}

const KINDS: [&str; 10] = [
    "documents",
    "messages",
    "emails",
    "domains",
    "phones",
    "cards",
    "ibans",
    "secrets",
    "persons",
    "organizations",
];

/// Every raw and unique count, and PwnCount, equal the truth.
fn assert_truth(b: &serde_json::Value, truth: &serde_json::Value) {
    for kind in KINDS {
        for which in ["raw", "unique"] {
            assert_eq!(
                b["Counts"][kind][which], truth["counts"][kind][which],
                "{kind}.{which}: index {} vs truth {}",
                b["Counts"][kind], truth["counts"][kind]
            );
        }
    }
    let emails = truth["emails"].as_array().expect("truth emails").len() as u64;
    assert!(emails > 50, "the corpus is too small to prove much");
    assert_eq!(
        b["PwnCount"].as_u64(),
        Some(emails),
        "PwnCount = unique accounts"
    );
    assert_eq!(b["CountsComplete"], true);
    let classes = b["DataClasses"].as_array().expect("DataClasses");
    for c in [
        "Email addresses",
        "Email messages",
        "Names",
        "Phone numbers",
        "Company names",
    ] {
        assert!(
            classes.iter().any(|x| x == c),
            "{c} missing from {classes:?}"
        );
    }
}

both!(counts_equal_the_truth, |dir: &Path, db: &TestDb| {
    let (corpus, truth) = generate(dir, 1, 40, None);
    let summary = ingest(db, &[&corpus], "Contoso");
    assert!(
        summary.contains("raw"),
        "the summary shows raw vs unique: {summary}"
    );
    let b = show(db, "Contoso");
    assert_truth(&b, &truth);
    assert!(b["DocumentTypes"]["email"]["raw"].as_u64() > Some(0));

    // An address of the truth finds the breach; a domain gives per-breach counts that
    // match the truth's addresses at that domain, and never the addresses.
    let emails: Vec<String> = truth["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect();
    let hit: serde_json::Value =
        serde_json::from_str(&ok(db, &["search", &emails[0].to_uppercase(), "--json"]))
            .expect("json");
    assert_eq!(hit["breaches"][0]["breach"], "Contoso", "{hit}");
    assert!(hit["breaches"][0]["occurrences"].as_u64() > Some(0));
    let miss: serde_json::Value = serde_json::from_str(&ok(
        db,
        &["search", "nobody@nowhere-at-all.example", "--json"],
    ))
    .expect("json");
    assert_eq!(miss["breaches"].as_array().map(Vec::len), Some(0));
    for domain in truth["domains"].as_array().expect("domains").iter().take(4) {
        let domain = domain.as_str().expect("domain");
        let at = emails
            .iter()
            .filter(|e| {
                e.rsplit_once('@')
                    .and_then(|(_, h)| leakdex_core::registrable_domain(h))
                    .as_deref()
                    == Some(domain)
            })
            .count() as u64;
        let out = ok(db, &["search", domain, "--json"]);
        let d: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(
            d["breaches"][0]["accounts"].as_u64(),
            Some(at),
            "{domain}: {d}"
        );
        assert!(
            !out.contains(&format!("@{domain}")),
            "a domain search lists addresses"
        );
    }
});

both!(
    ingesting_twice_changes_nothing,
    |dir: &Path, db: &TestDb| {
        let (corpus, truth) = generate(dir, 7, 17, None);
        ingest(db, &[&corpus], "Twice");
        let first = show(db, "Twice");
        let again = ingest(db, &[&corpus], "Twice");
        assert!(again.contains("Loaded 0 new"), "{again}");
        let second = show(db, "Twice");
        assert_eq!(
            first, second,
            "a second identical ingest changed the breach"
        );
        assert_truth(&second, &truth);
    }
);

both!(
    an_incremental_load_equals_a_whole_one,
    |dir: &Path, db: &TestDb| {
        let (corpus, truth) = generate(dir, 1, 40, None);
        let mut parts: Vec<PathBuf> = std::fs::read_dir(&corpus)
            .expect("corpus dir")
            .map(|e| e.expect("entry").path())
            .collect();
        parts.sort();
        assert!(parts.len() >= 4, "{parts:?}");
        let half: Vec<&Path> = parts[..parts.len() / 2]
            .iter()
            .map(PathBuf::as_path)
            .collect();
        ingest(db, &half, "Halves");
        let partial = show(db, "Halves");
        assert!(
            partial["Counts"]["documents"]["raw"].as_u64()
                < truth["counts"]["documents"]["raw"].as_u64(),
            "half a corpus holds fewer documents"
        );
        let out = ingest(db, &[&corpus], "Halves");
        assert!(
            !out.contains("0 were already indexed"),
            "the second load skipped nothing: {out}"
        );
        assert_truth(&show(db, "Halves"), &truth);
    }
);

both!(
    sigkill_then_resume_gives_the_same_counts,
    |dir: &Path, db: &TestDb| {
        // Killed right after its first committed batch (a debug log line), then again
        // after the resumed run's first: both kills land mid-load however fast the
        // machine or the build, where fixed delays stopped doing so once ingest got
        // faster. Big enough that the resumed run has more than one batch left.
        let (corpus, truth) = generate(dir, 3, 30, Some(60));
        for round in ["first run", "resumed run"] {
            let mut child = bin()
                .env("LEAKDEX_LOG", "leakdex_index=debug")
                .args([
                    "--db",
                    db.url.as_str(),
                    "-q",
                    "ingest",
                    "--breach",
                    "Killed",
                    s(&corpus),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the binary starts");
            let stderr = child.stderr.take().expect("piped stderr");
            let committed = std::io::BufRead::lines(std::io::BufReader::new(stderr))
                .map_while(Result::ok)
                .any(|l| l.contains("batch committed"));
            child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
            let status = child.wait().expect("wait");
            assert!(committed, "the {round} logged no committed batch");
            assert!(
                !status.success(),
                "the {round} finished before it was killed: use a bigger corpus"
            );
        }
        let partial = with_db(db, &["breach", "show", "Killed", "--json"]);
        if partial.status.success() {
            let p: serde_json::Value = serde_json::from_slice(&partial.stdout).expect("json");
            assert_eq!(p["CountsComplete"], false, "an interrupted breach says so");
        }
        let out = ingest(db, &[&corpus], "Killed");
        assert_truth(&show(db, "Killed"), &truth);
        assert!(out.contains("Loaded"), "{out}");
    }
);

both!(catalogue_update_and_delete, |dir: &Path, db: &TestDb| {
    let (corpus, truth) = generate(dir, 7, 17, None);
    ingest(db, &[&corpus], "First");
    ingest(db, &[&corpus], "Second");
    let before = show(db, "First");
    assert_eq!(before["IsSensitive"], false);
    ok(
        db,
        &[
            "breach",
            "update",
            "First",
            "--sensitive",
            "--verified",
            "--title",
            "First one",
            "--breach-date",
            "2024-03-01",
        ],
    );
    let b = show(db, "First");
    assert_eq!(b["IsSensitive"], true);
    assert_eq!(b["IsVerified"], true);
    assert_eq!(b["Title"], "First one");
    assert_eq!(b["BreachDate"], "2024-03-01");
    assert_eq!(
        b["Counts"], before["Counts"],
        "editing the catalogue changes no count"
    );
    ok(db, &["breach", "update", "First", "--no-sensitive"]);
    assert_eq!(show(db, "First")["IsSensitive"], false);
    let bad = with_db(db, &["breach", "update", "First", "--breach-date", "March"]);
    assert!(!bad.status.success(), "a bad date is refused");

    let list: serde_json::Value =
        serde_json::from_str(&ok(db, &["breach", "list", "--json"])).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(2));

    let email = truth["emails"][0].as_str().expect("an email").to_string();
    let hits: serde_json::Value =
        serde_json::from_str(&ok(db, &["search", &email, "--json"])).expect("json");
    assert_eq!(hits["breaches"].as_array().map(Vec::len), Some(2), "{hits}");

    ok(db, &["breach", "delete", "First"]);
    let missing = with_db(db, &["breach", "show", "First"]);
    assert!(!missing.status.success());
    let hits: serde_json::Value =
        serde_json::from_str(&ok(db, &["search", &email, "--json"])).expect("json");
    assert_eq!(hits["breaches"].as_array().map(Vec::len), Some(1), "{hits}");
    // The blobs both breaches shared are still there for the other one.
    assert_truth(&show(db, "Second"), &truth);
    ok(db, &["breach", "delete", "Second"]);
    let hits: serde_json::Value =
        serde_json::from_str(&ok(db, &["search", &email, "--json"])).expect("json");
    assert_eq!(hits["breaches"].as_array().map(Vec::len), Some(0));
    assert!(!with_db(db, &["breach", "delete", "Second"])
        .status
        .success());
    // Nothing of a deleted breach is left behind: no metadata row at all, and (SQLite)
    // neither the address nor the part of it an account row keeps (`jane@`) anywhere in
    // the file's bytes.
    rt().block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
        for table in [
            "account",
            "domain_name",
            "account_breach",
            "domain_breach",
            "org_branch",
            "breach_count",
            "value",
            "node",
            "edge",
            "reach",
            "occurrence",
            "node_value",
        ] {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .expect("count");
            assert_eq!(n, 0, "{table} keeps rows of deleted breaches");
        }
        pool.close().await;
    });
    if let Some(file) = &db.sqlite {
        let bytes = std::fs::read(file).expect("db file");
        let local = format!("{}@", email.split('@').next().unwrap_or_default());
        for needle in [email.as_str(), local.as_str()] {
            assert!(
                !contains(&bytes, needle.as_bytes()),
                "a deleted breach's address is still in the database file"
            );
        }
    }
});

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every byte the database holds: for SQLite the file and its WAL, for PostgreSQL a
/// full `pg_dump` (schema and data) of the test's database.
fn database_bytes(db: &TestDb) -> Vec<Vec<u8>> {
    if let Some(file) = db.sqlite.as_ref() {
        let mut files = vec![std::fs::read(file).expect("db file")];
        for ext in ["-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{ext}", s(file)));
            if let Ok(b) = std::fs::read(&p) {
                files.push(b);
            }
        }
        return files;
    }
    let o = std::process::Command::new("pg_dump")
        .args(["--no-owner", "--dbname", db.url.as_str()])
        .output()
        .expect("pg_dump runs (Debian's postgresql-client; .ci/run installs it)");
    assert!(
        o.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        contains(&o.stdout, b"COPY public.account"),
        "the dump has no account data: the test proves nothing"
    );
    vec![o.stdout]
}

both!(
    nothing_but_metadata_reaches_the_database_or_the_logs,
    |dir: &Path, db: &TestDb| {
        let (corpus, _) = generate(dir, 5, 12, None);
        let canary_name = "canary-file-Qx7Zr.eml";
        let canaries = [
            "Quillibrant Osterhaven",                   // a person's display name
            "the heron flies at midnight over Vexmoor", // a body sentence
            "Zanzibar-7731 project codename",           // the subject
            "+4930901820",                              // a phone, as E.164
        ];
        let mail = format!(
            "From: \"{}\" <q.osterhaven@example-canary.de>\r\nTo: ops@example-canary.de\r\n\
         Subject: {}\r\nMessage-ID: <canary-4711@example-canary.de>\r\n\r\n\
         Hello,\r\n{}.\r\nTel: +49 30 901820\r\n",
            canaries[0], canaries[2], canaries[1]
        );
        std::fs::create_dir_all(corpus.join("canary-dir-Pw3")).expect("dir");
        std::fs::write(corpus.join("canary-dir-Pw3").join(canary_name), mail).expect("write");
        // The same in office documents, a PDF, a workbook and an Outlook message: their
        // text, cells and properties reach the detectors, never the index or the logs.
        use leakdex_corpus::office;
        let office_canaries = [
            "Obsidian ledger of Marrowgate",
            "Cobalt tide at Ferncliff",
            "Saffron vault Q88",
            "Brackwater lantern sequence",
        ];
        let author = office::Props {
            author: Some("Quillibrant Osterhaven"),
            ..office::Props::default()
        };
        let docx = office::docx(&office::Docx {
            paragraphs: vec![
                office_canaries[0].into(),
                "q.osterhaven@example-canary.de".into(),
            ],
            props: author,
            ..office::Docx::default()
        })
        .expect("docx");
        let pdf = office::pdf(
            &[vec![office_canaries[1].into()]],
            Some("Quillibrant Osterhaven"),
        );
        let xlsx = office::xlsx(
            &[(
                "Canary",
                vec![vec!["note".into()], vec![office_canaries[2].into()]],
            )],
            &author,
        )
        .expect("xlsx");
        let msg = office::msg(&office::Msg {
            subject: "Zanzibar-7731 project codename".into(),
            body: Some(office_canaries[3].into()),
            ..office::Msg::default()
        })
        .expect("msg");
        for (name, bytes) in [
            ("canary-doc-Qx7Zr.docx", docx),
            ("canary-pdf-Qx7Zr.pdf", pdf),
            ("canary-sheet-Qx7Zr.xlsx", xlsx),
            ("canary-msg-Qx7Zr.msg", msg),
        ] {
            std::fs::write(corpus.join("canary-dir-Pw3").join(name), bytes).expect("write");
        }
        // Positive control: all five canary files are read, none is unreadable.
        let r = scan_json(&[s(&corpus.join("canary-dir-Pw3"))]);
        assert_eq!(count(&r, "documents", "raw"), 5, "{r}");
        assert_eq!(r["unreadable"].as_array().map(Vec::len), Some(0), "{r}");
        let o = bin()
            .args([
                "--db",
                db.url.as_str(),
                "-vv",
                "ingest",
                "--breach",
                "Canary",
                s(&corpus),
            ])
            .env("LEAKDEX_LOG", "trace")
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            !stderr.is_empty(),
            "trace logging produced nothing: the test proves nothing"
        );
        // A new index has nothing of an earlier version's to convert, and says nothing of it.
        assert!(!stderr.contains("earlier version"), "{stderr}");
        // The address is what the index is for: it must be found.
        let hit = ok(db, &["search", "q.osterhaven@example-canary.de", "--json"]);
        assert!(hit.contains("Canary"), "{hit}");
        let files = database_bytes(db);
        // Positive control: what the index is for is in the bytes read, so an absence below
        // means something.
        assert!(
            files
                .iter()
                .any(|b| contains(b, b"q.osterhaven@example-canary.de")),
            "the address is not in the database bytes read: the test proves nothing"
        );
        let corpus_path = s(&corpus).to_string();
        let mut forbidden: Vec<&str> = canaries.to_vec();
        forbidden.extend(office_canaries);
        forbidden.push("canary-doc-Qx7Zr");
        forbidden.extend([
            canary_name,
            "canary-dir-Pw3",
            "canary-4711",
            corpus_path.as_str(),
            "mailboxes/",
        ]);
        for c in forbidden {
            for (i, bytes) in files.iter().enumerate() {
                assert!(
                    !contains(bytes, c.as_bytes()),
                    "{c:?} is in database file #{i}"
                );
            }
            assert!(!stderr.contains(c), "{c:?} is in the log");
        }
    }
);

/// What an index answers about a breach and its domains: counts, per-domain search, a
/// verified owner's per-address rows and document types.
fn answers(db: &TestDb, breach: &str, domains: &[String]) -> serde_json::Value {
    let mut out = serde_json::json!({ "show": show(db, breach) });
    rt().block_on(async {
        let index = leakdex_index::Index::open(&db.url).await.expect("open");
        for d in domains {
            let rows = index.domain_addresses(d).await.expect("addresses");
            let types = index.domain_document_types(d).await.expect("types");
            // Per address: its breaches by address and through its hash's range.
            let mut lookups = Vec::new();
            for r in rows.iter().take(3) {
                let breaches = index.account_breaches(&r.email, true).await.expect("breaches");
                let hash = sha1_hex(&r.email);
                let range = index.range(&hash[..6]).await.expect("range");
                assert!(
                    range.iter().any(|(suffix, _)| *suffix == hash[6..]),
                    "an address's hash is missing from its range"
                );
                let names: Vec<String> = breaches.into_iter().map(|b| b.name).collect();
                lookups.push(serde_json::json!([r.email, names, range]));
            }
            out[d] = serde_json::json!({
                "addresses": serde_json::to_value(rows).expect("json"),
                "types": format!("{types:?}"),
                "domain pwn count": format!("{:?}", index.domain_pwn_count(d).await.expect("count")),
                "lookups": lookups,
            });
        }
        index.close().await;
    });
    for d in domains {
        out[format!("search {d}")] =
            serde_json::from_str(&ok(db, &["search", d, "--json"])).expect("json");
    }
    out
}

fn sha1_hex(s: &str) -> String {
    use sha1::{Digest, Sha1};
    Sha1::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The first `n` registrable domains of a corpus's truth.
fn first_domains(truth: &serde_json::Value, n: usize) -> Vec<String> {
    truth["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .take(n)
        .filter_map(|d| d.as_str().map(str::to_string))
        .collect()
}

/// Runs SQL statements on the test's database directly (to stage states the CLI never
/// leaves: an old layout, an interrupted upgrade or load).
fn exec(db: &TestDb, sqls: &[&str]) {
    rt().block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
        for sql in sqls {
            sqlx::query(sql).execute(&pool).await.expect(sql);
        }
        pool.close().await;
    });
}

/// LEB128 pairs of `node.vals` (crates/index/src/packed.rs), decoded independently.
fn unpack(data: &[u8]) -> Vec<(i64, i64)> {
    let mut at = 0;
    let next = |at: &mut usize| {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = data[*at];
            *at += 1;
            v |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return v as i64;
            }
        }
    };
    let (mut out, mut id) = (Vec::new(), 0);
    while at < data.len() {
        id += next(&mut at);
        let count = next(&mut at);
        out.push((id, count));
    }
    out
}

both!(
    an_index_of_the_previous_layout_is_upgraded_in_place,
    |dir: &Path, db: &TestDb| {
        use sqlx::Row;
        let (corpus, truth) = generate(dir, 7, 17, None);
        ingest(db, &[&corpus], "Old");
        let domains = first_domains(&truth, 5);
        let before = answers(db, "Old", &domains);
        // Rewrite the index as version 0007 stored it: one node_value row per (blob,
        // value), no value table, no per-address kinds or per-domain document types.
        rt().block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
            let nodes = sqlx::query("SELECT hash, vals FROM node WHERE vals IS NOT NULL")
                .fetch_all(&pool)
                .await
                .expect("nodes");
            assert!(nodes.len() > 50);
            for n in nodes {
                let hash: Vec<u8> = n.try_get(0).expect("hash");
                let vals: Vec<u8> = n.try_get(1).expect("vals");
                for (id, count) in unpack(&vals) {
                    sqlx::query(
                        "INSERT INTO node_value (hash, kind, key, count) \
                         SELECT $1, kind, key, $2 FROM value WHERE id = $3",
                    )
                    .bind(hash.clone())
                    .bind(count)
                    .bind(id)
                    .execute(&pool)
                    .await
                    .expect("node_value");
                }
            }
            // Versions before 5f3ab24 also stored each blob's domains: ignored now.
            sqlx::query(
                "INSERT INTO node_value (hash, kind, key, count) \
                 SELECT hash, 'domain', 'contoso.de', 3 FROM node WHERE vals IS NOT NULL",
            )
            .execute(&pool)
            .await
            .expect("old domain rows");
            for sql in [
                "UPDATE node SET vals = NULL",
                "DELETE FROM value",
                "UPDATE account_breach SET kinds = 0, doc_types = 0",
                "UPDATE domain_breach SET kinds = NULL, doc_types = NULL",
            ] {
                sqlx::query(sql).execute(&pool).await.expect(sql);
            }
            pool.close().await;
        });
        // The next open packs the rows and re-derives the breach: the same answers.
        let after = answers(db, "Old", &domains);
        assert_eq!(before, after, "the upgrade changed what the index answers");
        rt().block_on(async {
            let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM node_value")
                .fetch_one(&pool)
                .await
                .expect("count");
            assert_eq!(left, 0, "node_value rows were left behind");
            pool.close().await;
        });
        // An upgrade cut off after packing (its marker still set, the breaches not yet
        // re-derived) finishes at the next open.
        exec(
            db,
            &[
                "UPDATE account_breach SET kinds = 0, doc_types = 0",
                "UPDATE domain_breach SET kinds = NULL, doc_types = NULL",
                "INSERT INTO settings (name, value) SELECT 'rederive_0008', value FROM settings \
                 WHERE name = 'value_key'",
            ],
        );
        assert_eq!(
            answers(db, "Old", &domains),
            before,
            "an interrupted upgrade"
        );
        // And ingesting into the upgraded index still changes nothing.
        ingest(db, &[&corpus], "Old");
        assert_eq!(answers(db, "Old", &domains), before);
    }
);

/// Rows of `N` varints, the first delta-coded (crates/index/src/packed.rs, `pack_rows`).
fn unpack_rows<const N: usize>(data: &[u8]) -> Vec<[i64; N]> {
    let (mut out, mut at, mut first) = (Vec::new(), 0, 0i64);
    while at < data.len() {
        let mut row = [0i64; N];
        for (i, slot) in row.iter_mut().enumerate() {
            let (mut v, mut shift) = (0u64, 0);
            loop {
                let b = data[at];
                at += 1;
                v |= u64::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            *slot = if i == 0 {
                first += v as i64;
                first
            } else {
                v as i64
            };
        }
        out.push(row);
    }
    out
}

both!(
    an_index_of_layout_0008_is_upgraded_in_place,
    |dir: &Path, db: &TestDb| {
        use sqlx::Row;
        let (corpus, truth) = generate(dir, 7, 17, None);
        ingest(db, &[&corpus], "Open");
        ingest(db, &[&corpus], "Closed");
        ok(db, &["breach", "seal", "Closed"]);
        let domains = first_domains(&truth, 5);
        let before = (answers(db, "Open", &domains), show(db, "Closed"));
        // Rewrite the index as migration 0008 left it: accounts keyed by address with a
        // hex SHA-1, document types as labels, per-domain kinds and document types as rows.
        // Labels and kinds by their stored positions (the lists only grow at their ends).
        let label = |i: i64| leakdex_core::DOC_LABELS[i as usize];
        let kind_name = |i: i64| leakdex_core::KINDS[i as usize].as_str();
        rt().block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
            let run = |sql: &'static str| {
                let pool = pool.clone();
                async move { sqlx::query(sql).execute(&pool).await.expect(sql) }
            };
            let accounts = sqlx::query(
                "SELECT a.stem, a.sha1, d.name, ab.breach_id, ab.occurrences, ab.kinds, \
                 ab.doc_types FROM account a JOIN account_breach ab ON ab.account_id = a.id \
                 JOIN domain_name d ON d.id = a.domain_id",
            )
            .fetch_all(&pool)
            .await
            .expect("accounts");
            assert!(accounts.len() > 20, "too few accounts to prove anything");
            let domain_rows = sqlx::query(
                "SELECT n.name, d.breach_id, d.kinds, d.doc_types FROM domain_breach d \
                 JOIN domain_name n ON n.id = d.domain_id",
            )
            .fetch_all(&pool)
            .await
            .expect("domains");
            for sql in [
                // Per-domain rows named their domain (before 0010).
                "CREATE TABLE domain_breach_old AS SELECT d.breach_id, n.name AS domain, \
                 d.accounts, d.occurrences, d.documents, d.messages \
                 FROM domain_breach d JOIN domain_name n ON n.id = d.domain_id",
                "CREATE TABLE org_branch_old AS SELECT o.breach_id, o.org_key, n.name AS domain \
                 FROM org_branch o JOIN domain_name n ON n.id = o.domain_id",
                "DROP TABLE domain_breach",
                "DROP TABLE org_branch",
                "CREATE TABLE domain_breach (domain TEXT NOT NULL, breach_id BIGINT NOT NULL, \
                 accounts BIGINT NOT NULL, occurrences BIGINT NOT NULL, documents BIGINT NOT NULL, \
                 messages BIGINT NOT NULL, PRIMARY KEY (domain, breach_id))",
                "INSERT INTO domain_breach SELECT domain, breach_id, accounts, occurrences, \
                 documents, messages FROM domain_breach_old",
                "CREATE TABLE org_branch (org_key TEXT NOT NULL, domain TEXT NOT NULL, \
                 breach_id BIGINT NOT NULL, PRIMARY KEY (org_key, domain, breach_id))",
                "INSERT INTO org_branch SELECT org_key, domain, breach_id FROM org_branch_old",
                "DROP TABLE domain_breach_old",
                "DROP TABLE org_branch_old",
                "DROP TABLE account_breach",
                "DROP TABLE account",
                "DROP TABLE domain_name",
                "CREATE TABLE account (email TEXT PRIMARY KEY, sha1 TEXT NOT NULL, domain TEXT NOT NULL)",
                "CREATE INDEX account_sha1 ON account (sha1)",
                "CREATE INDEX account_domain ON account (domain)",
                "CREATE TABLE account_breach (email TEXT NOT NULL, breach_id BIGINT NOT NULL, \
                 occurrences BIGINT NOT NULL, kinds BIGINT NOT NULL DEFAULT 0, \
                 doc_types TEXT NOT NULL DEFAULT '', PRIMARY KEY (email, breach_id))",
                "CREATE INDEX account_breach_breach ON account_breach (breach_id)",
                "CREATE TABLE domain_kind (domain TEXT NOT NULL, breach_id BIGINT NOT NULL, \
                 kind TEXT NOT NULL, occurrences BIGINT NOT NULL, PRIMARY KEY (domain, breach_id, kind))",
                "CREATE TABLE domain_doc_type (domain TEXT NOT NULL, breach_id BIGINT NOT NULL, \
                 doc_type TEXT NOT NULL, uniq BIGINT NOT NULL, raw BIGINT NOT NULL, \
                 PRIMARY KEY (domain, breach_id, doc_type))",
                "CREATE INDEX reach_hash ON reach (hash)",
                "DELETE FROM _sqlx_migrations WHERE version >= 9",
                // A per-domain row whose domain no account has (migration 0010 must name
                // it, not drop the row); taken out again before the answers are compared.
                "INSERT INTO domain_breach (domain, breach_id, accounts, occurrences, documents, \
                 messages) SELECT 'stray-branch.example', id, 0, 1, 1, 0 FROM breach WHERE name = 'Closed'",
                "INSERT INTO org_branch (org_key, domain, breach_id) \
                 SELECT 'stray branch', 'stray-branch.example', id FROM breach WHERE name = 'Closed'",
            ] {
                run(sql).await;
            }
            for r in &accounts {
                let stem: String = r.try_get(0).expect("stem");
                let sha1: Vec<u8> = r.try_get(1).expect("sha1");
                let hex: String = sha1.iter().map(|b| format!("{b:02X}")).collect();
                let domain: String = r.try_get(2).expect("domain");
                let email = if stem.ends_with('@') || stem.ends_with('.') {
                    format!("{stem}{domain}")
                } else {
                    stem
                };
                assert_eq!(sha1_hex(&email), hex, "an account's address and hash disagree");
                sqlx::query(
                    "INSERT INTO account (email, sha1, domain) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(&email)
                .bind(hex)
                .bind(domain)
                .execute(&pool)
                .await
                .expect("account");
                let mask: i64 = r.try_get(6).expect("doc_types");
                let labels: Vec<&str> = (0..leakdex_core::DOC_LABELS.len() as i64)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(label)
                    .collect();
                sqlx::query(
                    "INSERT INTO account_breach (email, breach_id, occurrences, kinds, doc_types) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(email)
                .bind(r.try_get::<i64, _>(3).expect("breach"))
                .bind(r.try_get::<i64, _>(4).expect("occurrences"))
                .bind(r.try_get::<i64, _>(5).expect("kinds"))
                .bind(labels.join(","))
                .execute(&pool)
                .await
                .expect("account_breach");
            }
            for r in &domain_rows {
                let domain: String = r.try_get(0).expect("domain");
                let breach: i64 = r.try_get(1).expect("breach");
                let kinds: Vec<u8> = r.try_get(2).expect("kinds");
                let types: Vec<u8> = r.try_get(3).expect("types");
                for [k, n] in unpack_rows::<2>(&kinds) {
                    sqlx::query(
                        "INSERT INTO domain_kind (domain, breach_id, kind, occurrences) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(&domain)
                    .bind(breach)
                    .bind(kind_name(k))
                    .bind(n)
                    .execute(&pool)
                    .await
                    .expect("domain_kind");
                }
                for [t, uniq, raw] in unpack_rows::<3>(&types) {
                    sqlx::query(
                        "INSERT INTO domain_doc_type (domain, breach_id, doc_type, uniq, raw) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&domain)
                    .bind(breach)
                    .bind(label(t))
                    .bind(uniq)
                    .bind(raw)
                    .execute(&pool)
                    .await
                    .expect("domain_doc_type");
                }
            }
            pool.close().await;
        });
        // The next open migrates and packs: the same answers, for the sealed breach too
        // (its counts cannot be re-derived: they must survive the conversion). Two
        // processes open the old index at once: both succeed (one upgrades, the other
        // waits for it and finds the work done).
        let opening: Vec<std::process::Child> = (0..2)
            .map(|_| {
                bin()
                    .args([
                        "--db",
                        db.url.as_str(),
                        "breach",
                        "show",
                        "Closed",
                        "--json",
                    ])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn leakdex")
            })
            .collect();
        for child in opening {
            let out = child.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "a concurrent first open of an old index failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        rt().block_on(async {
            let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
            for table in ["domain_breach", "org_branch"] {
                let n: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM {table} t JOIN domain_name n ON n.id = t.domain_id \
                     WHERE n.name = 'stray-branch.example'"
                ))
                .fetch_one(&pool)
                .await
                .expect("stray");
                assert_eq!(
                    n, 1,
                    "the upgrade lost the {table} row of a domain without accounts"
                );
            }
            for sql in [
                "DELETE FROM org_branch WHERE org_key = 'stray branch'",
                "DELETE FROM domain_breach WHERE domain_id = \
                 (SELECT id FROM domain_name WHERE name = 'stray-branch.example')",
                "DELETE FROM domain_name WHERE name = 'stray-branch.example'",
            ] {
                sqlx::query(sql).execute(&pool).await.expect(sql);
            }
            pool.close().await;
        });
        let after = (answers(db, "Open", &domains), show(db, "Closed"));
        assert_eq!(before, after, "the upgrade changed what the index answers");
        rt().block_on(async {
            let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM domain_breach WHERE kinds IS NULL")
                    .fetch_one(&pool)
                    .await
                    .expect("count");
            assert_eq!(n, 0, "domains left without their packed kinds");
            pool.close().await;
        });
        // (`answers` covers both breaches per domain: the per-domain search, document
        // types and per-address rows list the sealed one beside the open one.)
        // Deleted and loaded again, the open breach answers as before.
        ok(db, &["breach", "delete", "Open"]);
        ingest(db, &[&corpus], "Open");
        let (mut again, mut first) = (answers(db, "Open", &domains), before.0);
        for a in [&mut again, &mut first] {
            let show = a["show"].as_object_mut().expect("show");
            show.remove("AddedDate");
            show.remove("ModifiedDate");
        }
        assert_eq!(again, first, "a breach loaded again after the upgrade");
    }
);

both!(
    an_address_whose_account_row_is_gone_is_restored,
    |dir: &Path, db: &TestDb| {
        // What a `breach delete` run during another breach's load can do (the docs warn
        // against it): account rows collected under blobs that still name them. The next
        // load of the breach writes them again and answers as before.
        let (corpus, truth) = generate(dir, 7, 17, None);
        ingest(db, &[&corpus], "Gone");
        let domains = first_domains(&truth, 5);
        let before = answers(db, "Gone", &domains);
        let count = |sql: &'static str| {
            rt().block_on(async {
                sqlx::any::install_default_drivers();
                let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
                let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.expect(sql);
                pool.close().await;
                n
            })
        };
        let accounts = count("SELECT COUNT(*) FROM account");
        let names = count("SELECT COUNT(*) FROM domain_name");
        exec(
            db,
            &[
                "DELETE FROM account WHERE id IN (SELECT id FROM account ORDER BY id LIMIT 40)",
                "DELETE FROM domain_name WHERE id NOT IN (SELECT domain_id FROM account) \
                 AND id NOT IN (SELECT domain_id FROM domain_breach)",
            ],
        );
        assert!(count("SELECT COUNT(*) FROM account") < accounts);
        ingest(db, &[&corpus], "Gone");
        assert_eq!(
            count("SELECT COUNT(*) FROM account"),
            accounts,
            "accounts restored"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM domain_name"),
            names,
            "domains restored"
        );
        assert_eq!(answers(db, "Gone", &domains), before);
    }
);

both!(
    accounts_whose_hashes_share_a_prefix_stay_apart,
    |dir: &Path, db: &TestDb| {
        // SQLite finds an account by the first 4 bytes of its SHA-1 (migration 0011);
        // these two addresses share them, and each must answer for itself alone.
        let (x, y) = ("twin25339@contoso.de", "twin134936@contoso.de");
        let (hx, hy) = (sha1_hex(x), sha1_hex(y));
        assert_eq!(
            hx[..8],
            hy[..8],
            "the pair no longer shares a 4-byte prefix"
        );
        assert_ne!(hx, hy);
        for (breach, address) in [("First", x), ("Second", y)] {
            let file = dir.join(format!("{breach}.txt"));
            std::fs::write(&file, format!("Contact: {address}\n")).expect("write");
            ingest(db, &[&file], breach);
            // Again: a load that finds the address's account adds no second one.
            ingest(db, &[&file], breach);
        }
        for (address, breach) in [(x, "First"), (y, "Second")] {
            let hit: serde_json::Value =
                serde_json::from_str(&ok(db, &["search", address, "--json"])).expect("json");
            let names: Vec<&str> = hit["breaches"]
                .as_array()
                .expect("breaches")
                .iter()
                .filter_map(|b| b["breach"].as_str())
                .collect();
            assert_eq!(names, [breach], "{address}: {hit}");
        }
        let range = rt().block_on(async {
            let index = leakdex_index::Index::open(&db.url).await.expect("open");
            let range = index.range(&hx[..6]).await.expect("range");
            let accounts = index
                .domain_addresses("contoso.de")
                .await
                .expect("addresses");
            index.close().await;
            assert_eq!(accounts.len(), 2, "one account per address: {accounts:?}");
            range
        });
        let mut expected = vec![
            (hx[6..].to_string(), vec!["First".to_string()]),
            (hy[6..].to_string(), vec!["Second".to_string()]),
        ];
        expected.sort();
        assert_eq!(range, expected);
        let files = dir.join("range");
        ok(db, &["-q", "export", "range", "--out", s(&files)]);
        let file = std::fs::read_to_string(files.join(&hx[..5])).expect("a range file");
        let mut lines: Vec<&str> = file.lines().collect();
        lines.sort_unstable();
        let mut want = [
            format!("{}:First", &hx[5..]),
            format!("{}:Second", &hy[5..]),
        ];
        want.sort_unstable();
        assert_eq!(lines, want);
    }
);

both!(
    sealing_keeps_the_answers_and_refuses_further_loads,
    |dir: &Path, db: &TestDb| {
        let (corpus, truth) = generate(dir, 7, 17, None);
        ingest(db, &[&corpus], "Sealed");
        let domains = first_domains(&truth, 5);
        let mut before = answers(db, "Sealed", &domains);
        assert_eq!(before["show"]["Sealed"], false);
        let out = ok(db, &["breach", "seal", "Sealed"]);
        assert!(out.contains("Sealed breach Sealed"), "{out}");
        // The file is whole when the command returns: no WAL left to fold (the VACUUM
        // wrote the whole file into it).
        if let Some(file) = &db.sqlite {
            let wal = std::fs::metadata(format!("{}-wal", file.display())).map_or(0, |m| m.len());
            assert_eq!(wal, 0, "a WAL was left beside the index");
        }
        let mut after = answers(db, "Sealed", &domains);
        assert_eq!(after["show"]["Sealed"], true);
        for a in [&mut before, &mut after] {
            a["show"].as_object_mut().expect("show").remove("Sealed");
        }
        assert_eq!(before, after, "sealing changed what the index answers");
        assert_truth(&after["show"], &truth);
        rt().block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
            for table in ["node", "edge", "occurrence", "reach", "value"] {
                let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(&pool)
                    .await
                    .expect("count");
                assert_eq!(n, 0, "{table} kept rows of the sealed breach");
            }
            pool.close().await;
        });
        // Further loads are refused, saying why; sealing again is harmless.
        let again = with_db(db, &["-q", "ingest", "--breach", "Sealed", s(&corpus)]);
        assert!(!again.status.success());
        let err = String::from_utf8_lossy(&again.stderr);
        assert!(err.contains("sealed"), "{err}");
        ok(db, &["breach", "seal", "Sealed"]);
        assert_eq!(
            answers(db, "Sealed", &domains)["show"]["Counts"],
            before["show"]["Counts"]
        );
        // A breach whose last load did not finish cannot be sealed.
        ingest(db, &[&corpus], "Half");
        exec(
            db,
            &["UPDATE breach SET materialized = 0 WHERE name = 'Half'"],
        );
        let half = with_db(db, &["breach", "seal", "Half"]);
        assert!(!half.status.success());
        assert!(String::from_utf8_lossy(&half.stderr).contains("did not finish"));
        ok(db, &["breach", "delete", "Sealed"]);
        ok(db, &["breach", "delete", "Half"]);
    }
);

both!(
    concurrent_ingests_equal_sequential_ones,
    |dir: &Path, db: &TestDb| {
        let (corpus, _truth) = generate(dir, 7, 17, None);
        let mut parts: Vec<PathBuf> = std::fs::read_dir(&corpus)
            .expect("corpus dir")
            .map(|e| e.expect("entry").path())
            .collect();
        parts.sort();
        let (a, b) = parts.split_at(parts.len() / 2);
        let a: Vec<&Path> = a.iter().map(PathBuf::as_path).collect();
        let b: Vec<&Path> = b.iter().map(PathBuf::as_path).collect();
        // Reference: the two halves one after the other.
        ingest(db, &a, "Sequential");
        ingest(db, &b, "Sequential");
        // The same halves by two processes at once into one breach.
        let spawn = |half: &[&Path]| {
            let mut args = vec![
                "--db",
                db.url.as_str(),
                "-q",
                "ingest",
                "--breach",
                "Concurrent",
            ];
            args.extend(half.iter().map(|p| s(p)));
            bin()
                .args(&args)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("leakdex starts")
        };
        let (mut pa, mut pb) = (spawn(&a), spawn(&b));
        assert!(pa.wait().expect("wait").success());
        assert!(pb.wait().expect("wait").success());
        let (seq, par) = (show(db, "Sequential"), show(db, "Concurrent"));
        assert_eq!(
            seq["Counts"], par["Counts"],
            "concurrent loads lost or doubled something"
        );
        assert_eq!(seq["PwnCount"], par["PwnCount"]);
        assert!(seq["PwnCount"].as_u64().unwrap_or(0) > 50);
        assert_eq!(par["CountsComplete"], true);
    }
);

both!(
    exports_round_trip_and_range_files_hide_sensitive_breaches,
    |dir: &Path, db: &TestDb| {
        let (corpus, truth) = generate(dir, 7, 17, None);
        ingest(db, &[&corpus], "Exported");
        let emails: std::collections::BTreeSet<String> = truth["emails"]
            .as_array()
            .expect("truth emails")
            .iter()
            .map(|e| e.as_str().expect("string").to_string())
            .collect();

        // Accounts as JSON lines: exactly the truth's addresses, with SHA-1 and domain.
        let jsonl = dir.join("accounts.jsonl");
        ok(
            db,
            &["-q", "export", "--table", "accounts", "--out", s(&jsonl)],
        );
        let rows: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
            .expect("export written")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        let exported: std::collections::BTreeSet<String> = rows
            .iter()
            .map(|r| r["email"].as_str().expect("email").to_string())
            .collect();
        assert_eq!(exported, emails);
        assert_eq!(rows.len(), emails.len(), "one row per account and breach");
        let occurrences: u64 = rows
            .iter()
            .map(|r| r["occurrences"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(
            occurrences,
            truth["counts"]["emails"]["raw"].as_u64().unwrap_or(0)
        );

        // The same as CSV, with a header row; domains too.
        let csv = ok(
            db,
            &["-q", "export", "--format", "csv", "--table", "accounts"],
        );
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("email,sha1,domain,breach,occurrences"));
        assert_eq!(lines.count(), emails.len());
        let domains = ok(db, &["-q", "export", "--table", "domains"]);
        assert_eq!(
            domains.lines().count(),
            truth["domains"].as_array().map_or(0, Vec::len)
        );

        // Organisation groups: every generated group with branches is one row holding
        // all its branch domains; accounts add up to every address exactly once.
        let orgs: Vec<serde_json::Value> = ok(db, &["-q", "export", "--table", "organizations"])
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        let org_accounts: u64 = orgs
            .iter()
            .map(|o| o["accounts"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(org_accounts, emails.len() as u64);
        let mut grouped = 0;
        for org in truth["organizations"]
            .as_array()
            .expect("truth organizations")
        {
            let branches = org["branches"].as_array().expect("branches");
            if branches.len() < 2 {
                continue;
            }
            let key = leakdex_core::fold_diacritics(org["name"].as_str().expect("name"));
            let row = orgs
                .iter()
                .find(|o| o["organization"] == key.as_str())
                .unwrap_or_else(|| panic!("no organisation row {key}"));
            let domains: std::collections::BTreeSet<&str> = row["domains"]
                .as_str()
                .expect("domains")
                .split(',')
                .collect();
            assert_eq!(row["branches"].as_u64(), Some(domains.len() as u64));
            for b in branches {
                assert!(
                    domains.contains(b["domain"].as_str().expect("domain")),
                    "{key}"
                );
            }
            grouped += 1;
        }
        assert!(grouped > 0, "the corpus has organisations with branches");

        // Parquet, read back with the parquet crate: the same accounts and occurrences,
        // typed; organisations too.
        use parquet::file::reader::{FileReader, SerializedFileReader};
        use parquet::record::RowAccessor;
        // `leakdex export --format parquet --table TABLE`, opened with the parquet crate.
        let parquet_export = |table: &str| {
            let pq = dir.join(format!("{table}.parquet"));
            ok(
                db,
                &[
                    "-q",
                    "export",
                    "--format",
                    "parquet",
                    "--table",
                    table,
                    "--out",
                    s(&pq),
                ],
            );
            SerializedFileReader::new(std::fs::File::open(&pq).expect("parquet written"))
                .expect("a Parquet file")
        };
        let reader = parquet_export("accounts");
        let fields: Vec<String> = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        assert_eq!(fields, ["email", "sha1", "domain", "breach", "occurrences"]);
        let mut from_parquet = std::collections::BTreeSet::new();
        let mut pq_occurrences = 0i64;
        for row in reader.get_row_iter(None).expect("rows") {
            let row = row.expect("a row");
            from_parquet.insert(row.get_string(0).expect("email").clone());
            assert_eq!(row.get_string(3).expect("breach"), "Exported");
            pq_occurrences += row.get_long(4).expect("occurrences");
        }
        assert_eq!(from_parquet, emails);
        assert_eq!(pq_occurrences as u64, occurrences);
        let reader = parquet_export("organizations");
        assert_eq!(
            reader.metadata().file_metadata().num_rows(),
            orgs.len() as i64
        );

        // Range files: every address's SHA-1 suffix is in its prefix's file.
        let range = dir.join("range");
        ok(db, &["-q", "export", "range", "--out", s(&range)]);
        for r in rows.iter().take(25) {
            let sha1 = r["sha1"].as_str().expect("sha1");
            let (prefix, suffix) = sha1.split_at(5);
            let file = std::fs::read_to_string(range.join(prefix)).expect("a range file");
            assert!(
                file.lines().any(|l| l == format!("{suffix}:Exported")),
                "{prefix}: {file}"
            );
            assert!(!file.contains('@'), "range files hold no addresses");
        }
        // A sensitive breach is not public: its accounts leave the range files.
        ok(db, &["-q", "breach", "update", "Exported", "--sensitive"]);
        let range2 = dir.join("range2");
        ok(db, &["-q", "export", "range", "--out", s(&range2)]);
        assert_eq!(std::fs::read_dir(&range2).expect("dir").count(), 0);
    }
);

both!(
    company_search_groups_branches_across_cctlds,
    |dir: &Path, db: &TestDb| {
        let (corpus, truth) = generate(dir, 1, 40, None);
        ingest(db, &[&corpus], "Groups");
        let orgs = truth["organizations"]
            .as_array()
            .expect("truth organizations");
        let multi: Vec<&serde_json::Value> = orgs
            .iter()
            .filter(|o| {
                let b = o["branches"].as_array().map_or(0, Vec::len);
                b > 1
            })
            .collect();
        assert!(
            !multi.is_empty(),
            "the corpus has organisations with branches"
        );
        for org in multi {
            // Search by one branch's full legal name, e.g. "Contoso GmbH".
            let branch_name = org["branches"][0]["name"].as_str().expect("branch name");
            let out: serde_json::Value =
                serde_json::from_str(&ok(db, &["search", branch_name, "--json"]))
                    .expect("search --json");
            // Group keys come from (ASCII) domain labels: "araújo engenharia" is found as
            // "araujo engenharia".
            let key = leakdex_core::fold_diacritics(org["name"].as_str().expect("org key"));
            let group = out["organizations"]
                .as_array()
                .expect("organizations")
                .iter()
                .find(|h| h["organization"] == key && h["breach"] == "Groups")
                .unwrap_or_else(|| panic!("{branch_name}: no group {key} in {out}"));
            let found: std::collections::BTreeSet<&str> = group["branches"]
                .as_array()
                .expect("branches")
                .iter()
                .filter_map(|b| b["domain"].as_str())
                .collect();
            for b in org["branches"].as_array().expect("branches") {
                let d = b["domain"].as_str().expect("domain");
                assert!(
                    found.contains(d),
                    "{key}: branch {d} missing from {found:?}"
                );
            }
            let sum: u64 = group["branches"]
                .as_array()
                .expect("branches")
                .iter()
                .map(|b| b["accounts"].as_u64().unwrap_or(0))
                .sum();
            assert_eq!(group["accounts"].as_u64(), Some(sum));
            assert!(
                !out.to_string().contains('@'),
                "company search lists no addresses"
            );
        }
    }
);
