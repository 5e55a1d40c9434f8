//! The command line contract: exit codes, report shape, findings lines, metadata-only logs.

use crate::util::*;
use std::io::Write;

#[test]
fn missing_source_exits_1_with_advice() {
    let out = run(&["scan", "/nonexistent/leakdex-source"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read source"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["scan"]).status.code(), Some(2));
    assert_eq!(run(&["scan", "--bogus", "x"]).status.code(), Some(2));
    let out = run(&["scan", "--max-archive-bytes", "12X", "."]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_teaches() {
    let out = run(&["scan", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--findings",
        "--max-depth",
        "Examples:",
        "unreadable",
        "stdin",
    ] {
        assert!(help.contains(needle), "scan --help lacks {needle}");
    }
}

#[test]
fn report_shape_and_findings_lines() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("contacts.csv"),
        "name;email;phone;country;card;iban\n\
         Zoë Müller;zoe@contoso.de;030 12345678;DE;4111 1111 1111 1111;DE89 3704 0044 0532 0130 00\n\
         Pat O'Brien;pat@obrien.co.uk;+44 20 7946 0321;GB;;\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("empty.txt"), "").unwrap();
    let out_dir = tempdir();
    let findings = out_dir.path().join("out.jsonl");
    let r = scan_json(&[s(dir.path()), "--findings", s(&findings)]);
    assert_eq!(count(&r, "documents", "raw"), 1);
    for (kind, raw, unique) in [
        ("emails", 2, 2),
        ("domains", 2, 2),
        ("phones", 2, 2),
        ("cards", 1, 1),
        ("ibans", 1, 1),
        ("persons", 2, 2),
    ] {
        assert_eq!(count(&r, kind, "raw"), raw, "{kind} raw");
        assert_eq!(count(&r, kind, "unique"), unique, "{kind} unique");
    }
    assert_eq!(r["empty"], 1);
    let classes: Vec<&str> = r["data_classes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for c in [
        "Email addresses",
        "Phone numbers",
        "Credit cards",
        "Bank account numbers",
        "Names",
    ] {
        assert!(classes.contains(&c), "{c} missing from {classes:?}");
    }
    let lines = std::fs::read_to_string(&findings).unwrap();
    let records: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert!(!records.is_empty());
    for rec in &records {
        for key in ["kind", "value", "document", "path", "context"] {
            assert!(rec.get(key).is_some(), "finding lacks {key}: {rec}");
        }
    }
    let card = records
        .iter()
        .find(|r| r["kind"] == "card")
        .expect("a card finding");
    assert_eq!(card["value"], "****1111");
    assert_eq!(card["context"], "card");
    assert!(!lines.contains("4111 1111"), "card number in clear");
    assert!(!lines.contains("DE89370400440532013000"), "IBAN in clear");
    let phone = records.iter().find(|r| r["kind"] == "phone").unwrap();
    assert_eq!(phone["value"], "+493012345678");
}

#[test]
fn stdin_is_a_source() {
    let mut child = bin()
        .args(["scan", "--json", "-q", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"INSERT INTO `u` (`email`) VALUES ('a@b.de'),('c@d.fr');\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(count(&r, "emails", "unique"), 2);
}

#[test]
fn logs_carry_no_content_and_no_file_names() {
    let dir = tempdir();
    let canary_name = "canary-filename-q7x.eml";
    std::fs::write(
        dir.path().join(canary_name),
        "From: A B <a@b.de>\r\nTo: c@d.fr\r\nSubject: canary-subject-zz9\r\n\r\ncanary body sentence 7f3k\r\n",
    )
    .unwrap();
    // A file the scanner cannot read, so the unreadable path is exercised too.
    std::fs::write(
        dir.path().join("canary-broken-name.zip"),
        b"PK\x03\x04broken",
    )
    .unwrap();
    let out = bin()
        .args(["scan", "-vvv", s(dir.path())])
        .env("LEAKDEX_LOG", "trace")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scan finished"),
        "trace logs were produced: {err}"
    );
    for canary in [
        "canary-filename",
        "canary-broken",
        "canary-subject",
        "canary body",
        "a@b.de",
    ] {
        assert!(
            !err.contains(canary),
            "log output contains {canary:?}: {err}"
        );
    }
}

#[test]
fn corpus_generate_refuses_a_used_dir_unless_forced_over_its_own_output() {
    let dir = tempdir();
    let out = dir.path().join("c");
    let gen = |force: bool| {
        let mut args = vec!["-q", "corpus", "generate", "--orgs", "3", "--out", s(&out)];
        if force {
            args.push("--force");
        }
        run(&args).status.code()
    };
    assert_eq!(gen(false), Some(0));
    assert_eq!(
        gen(false),
        Some(1),
        "a second run must not overwrite silently"
    );
    assert_eq!(
        gen(true),
        Some(0),
        "--force replaces an earlier generated corpus"
    );
    let other = dir.path().join("mine");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("precious.txt"), "keep me").unwrap();
    let o = run(&["-q", "corpus", "generate", "--force", "--out", s(&other)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        other.join("precious.txt").exists(),
        "--force never removes a directory it did not generate"
    );
}

/// A text file big enough to be cut into parts scanned on all threads (≥ 16 MB) counts
/// exactly as a scan on one thread — also when most of its addresses and numbers sit in
/// one half (the first half has a few in every part, so a part left out shows).
#[test]
fn a_big_text_file_on_all_threads_counts_as_on_one() {
    let dir = tempdir();
    let path = dir.path().join("big.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut written = 0usize;
    let mut i = 0u64;
    while written < 24 << 20 {
        i += 1;
        let line = if written < 12 << 20 && !i.is_multiple_of(500) {
            "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n".to_string()
        } else {
            format!(
                "user{}@contoso{}.de Tel: +49 30 {} card 4111 1111 1111 1111\n",
                i % 50_000,
                i % 40,
                10_000_000 + (i * 7919) % 89_999_999
            )
        };
        f.write_all(line.as_bytes()).unwrap();
        written += line.len();
    }
    f.flush().unwrap();
    drop(f);
    let one = scan_json(&["-j", "1", s(&path)]);
    let all = scan_json(&["-j", "2", s(&path)]);
    assert!(count(&one, "emails", "unique") >= 40_000);
    assert!(count(&one, "phones", "unique") >= 40_000);
    // Every part holds numbers no other part has: one part left out shows in the raw
    // counts and in the phones' unique count.
    assert!(count(&one, "emails", "raw") > 100_000);
    assert_eq!(one["counts"], all["counts"]);
    assert_eq!(one["data_classes"], all["data_classes"]);
}
