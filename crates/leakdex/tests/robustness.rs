//! Real-world and hostile e-mail from `../shared/corpora` (SpamAssassin; mail-parser's RFC,
//! legacy, third-party and malformed sets): no panic escapes, the run completes, every
//! file is either counted or listed unreadable.

use crate::util::*;

#[test]
#[cfg_attr(
    not(has_shared),
    ignore = "../shared/corpora is absent (set LEAKDEX_SHARED)"
)]
fn shared_corpora_scan_without_losing_a_file() {
    let corpora = shared().join("corpora");
    let mut files = 0u64;
    let mut stack = vec![corpora.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                files += 1;
            }
        }
    }
    assert!(files > 200, "the shared corpora look empty: {files} files");
    let out = bin()
        .args(["scan", "--json", "-q", s(&corpora)])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("panicked"), "a panic escaped: {err}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["files"].as_u64(), Some(files));
    // Every top-level file is a document, a container, empty, or unreadable.
    assert!(
        count(&r, "documents", "raw") + r["empty"].as_u64().unwrap() >= files - unreadable_top(&r)
    );
    assert!(count(&r, "messages", "raw") > 150);
    assert!(count(&r, "emails", "unique") > 100);
    for u in r["unreadable"].as_array().unwrap() {
        assert!(!u["reason"].as_str().unwrap().is_empty());
    }
}

fn unreadable_top(r: &serde_json::Value) -> u64 {
    r["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| !u["path"].as_str().unwrap().contains('!'))
        .count() as u64
}

#[test]
#[cfg_attr(
    not(has_shared),
    ignore = "../shared/corpora is absent (set LEAKDEX_SHARED)"
)]
fn each_malformed_message_alone_is_scanned_or_unreadable() {
    let dir = shared().join("corpora/mail-parser/malformed");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "eml") {
            continue;
        }
        n += 1;
        let r = scan_json(&[s(&p)]);
        let docs = count(&r, "documents", "raw");
        let unreadable = r["unreadable"].as_array().unwrap().len() as u64;
        let empty = r["empty"].as_u64().unwrap();
        assert!(
            docs + unreadable + empty >= 1,
            "{} vanished: {r}",
            p.display()
        );
    }
    assert!(n > 5, "too few malformed messages: {n}");
}
