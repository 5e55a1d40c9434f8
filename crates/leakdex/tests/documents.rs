//! Documents: office files, PDFs and Outlook messages in generated corpora are classified
//! as the generator labelled them; hostile PDFs end as `unreadable` within the parser's
//! budget while the rest of the scan completes; password-protected files are reported as
//! such; `--documents` and `--top` say what is most sensitive.

use crate::util::*;
use std::collections::{BTreeMap, HashMap};

/// Scans a generated corpus with `--documents` and compares every distinct document's
/// type with the truth's label. Returns (correct, total, confusion matrix).
fn classify_corpus(seed: u64) -> (usize, usize, BTreeMap<(String, String), usize>) {
    let dir = tempdir();
    let (corpus, truth) = generate(dir.path(), seed, 40, None);
    let docs = dir.path().join("documents.jsonl");
    let report = scan_json(&[s(&corpus), "--documents", s(&docs)]);
    assert_eq!(
        report["unreadable"].as_array().map(Vec::len),
        Some(0),
        "{}",
        report["unreadable"]
    );
    let mut by_hash: HashMap<String, serde_json::Value> = HashMap::new();
    let mut by_path: HashMap<String, serde_json::Value> = HashMap::new();
    for l in std::fs::read_to_string(&docs).unwrap().lines() {
        let d: serde_json::Value = serde_json::from_str(l).unwrap();
        let rel = d["path"]
            .as_str()
            .unwrap()
            .strip_prefix(s(&corpus))
            .unwrap()
            .trim_start_matches('/')
            .to_string();
        by_hash.insert(d["document"].as_str().unwrap().to_string(), d.clone());
        by_path.insert(rel, d);
    }
    let mut matrix: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut formats = std::collections::BTreeSet::new();
    for f in truth["files"].as_array().unwrap() {
        let Some(label) = f["doc_type"].as_str() else {
            continue;
        };
        let hash = f["blake3"].as_str().unwrap();
        if !seen.insert(hash.to_string()) {
            continue;
        }
        formats.insert(f["kind"].as_str().unwrap().to_string());
        // A document is found by content hash, else (an attachment whose bytes the
        // mail parser normalises) by path.
        let d = by_hash
            .get(hash)
            .or_else(|| by_path.get(f["path"].as_str().unwrap()))
            .unwrap_or_else(|| panic!("no document record for {}", f["path"]));
        let mut got = d["doc_type"].as_str().unwrap().to_string();
        if d["signed"] == true {
            got = "signed_contract".into();
        }
        let want = label.to_string();
        *matrix.entry((want, got)).or_default() += 1;
    }
    for k in [
        "docx", "pptx", "xlsx", "xlsb", "ods", "pdf", "msg", "eml", "sql", "csv",
    ] {
        assert!(
            formats.contains(k),
            "seed {seed}: the corpus has no {k} document"
        );
    }
    let total: usize = matrix.values().sum();
    let correct: usize = matrix
        .iter()
        .filter(|((a, b), _)| a == b)
        .map(|(_, n)| n)
        .sum();
    (correct, total, matrix)
}

#[test]
fn document_types_are_classified_on_two_seeds() {
    for seed in [5, 23] {
        let (correct, total, matrix) = classify_corpus(seed);
        let types: std::collections::BTreeSet<&str> =
            matrix.keys().map(|(a, _)| a.as_str()).collect();
        // Every type the classifier knows appears in the corpus.
        for t in [
            "email",
            "invoice",
            "purchase_order",
            "quote",
            "statement_of_work",
            "proof_of_execution",
            "contract",
            "signed_contract",
            "price_list",
            "customer_stock",
            "customer_list",
            "database_backup",
            "project_plan",
            "internal_assessment",
            "other",
        ] {
            assert!(
                types.contains(t),
                "seed {seed}: no {t} in the corpus: {matrix:?}"
            );
        }
        assert!(
            correct * 100 >= total * 95,
            "seed {seed}: {correct}/{total} correct; confusion: {matrix:?}"
        );
    }
}

#[test]
fn signed_contracts_are_told_from_unsigned_ones() {
    let dir = tempdir();
    let (corpus, truth) = generate(dir.path(), 9, 40, None);
    let docs = dir.path().join("documents.jsonl");
    let report = scan_json(&[s(&corpus), "--documents", s(&docs)]);
    let types = &report["document_types"];
    assert!(
        types["signed_contract"]["unique"].as_u64() > Some(0),
        "{types}"
    );
    assert!(types["contract"]["unique"].as_u64() > Some(0), "{types}");
    let classes: Vec<&str> = report["data_classes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    for c in [
        "Signed contracts",
        "Contracts",
        "Invoices",
        "Customer risk assessments",
    ] {
        assert!(classes.contains(&c), "{classes:?}");
    }
    // Every contract the generator wrote is listed as one or the other.
    let contracts: usize = truth["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["doc_type"] == "contract" || f["doc_type"] == "signed_contract")
        .count();
    let listed = types["signed_contract"]["raw"].as_u64().unwrap()
        + types["contract"]["raw"].as_u64().unwrap();
    assert_eq!(listed as usize, contracts);
}

#[test]
fn top_lists_the_most_sensitive_documents_with_reasons() {
    let dir = tempdir();
    let (corpus, _) = generate(dir.path(), 4, 12, None);
    let report = scan_json(&[s(&corpus), "--top", "5"]);
    let top = report["top_documents"].as_array().unwrap();
    assert_eq!(top.len(), 5);
    let scores: Vec<u64> = top
        .iter()
        .map(|d| d["sensitivity"]["score"].as_u64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert_eq!(report["sensitivity"]["score"].as_u64(), Some(scores[0]));
    // Names or addresses together with cards or bank accounts rank at the top.
    let reasons = top[0]["sensitivity"]["reasons"].to_string();
    assert!(
        reasons.contains("Credit cards") || reasons.contains("Bank account numbers"),
        "{reasons}"
    );
    assert!(!report["top_sources"].as_array().unwrap().is_empty());
    // The text summary lists them too.
    let out = run(&["scan", "--quiet", "--top", "3", s(&corpus)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Most sensitive documents:"), "{text}");
    assert!(text.contains("Document types"), "{text}");
}

/// A one-page PDF with `content` as its content stream and `font` as its font F1.
fn pdf(content: &[u8], font: &str) -> Vec<u8> {
    leakdex_corpus::office::pdf_page(content, false, font)
}

#[test]
fn crashing_and_hanging_pdfs_are_unreadable_and_the_scan_goes_on() {
    let dir = tempdir();
    let root = dir.path().join("exposed");
    std::fs::create_dir_all(&root).unwrap();
    // pdf-extract panics on a font it has no metrics for and on a missing font resource.
    std::fs::write(
        root.join("a-crash.pdf"),
        pdf(
            b"BT /F1 12 Tf (hi) Tj ET",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Foo /FirstChar 300 /LastChar 2 /Widths [1 2] >>",
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("b-crash.pdf"),
        pdf(
            b"BT /F9 12 Tf (hi) Tj ET",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ),
    )
    .unwrap();
    // 5 million text operators: far more work than a 2-second budget allows.
    let mut ops = Vec::with_capacity(64 << 20);
    while ops.len() < 64 << 20 {
        ops.extend_from_slice(b"(x) Tj 1 0 Td\n");
    }
    std::fs::write(
        root.join("c-hang.pdf"),
        pdf(
            &ops,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ),
    )
    .unwrap();
    drop(ops);
    // After the hang, the same worker thread needs a fresh worker process: a good PDF.
    std::fs::write(
        root.join("d-good.pdf"),
        leakdex_corpus::office::pdf(&[vec!["Reach anna@contoso.de".into()]], None),
    )
    .unwrap();
    std::fs::write(root.join("e-note.txt"), "and bob@fabrikam.fr\n").unwrap();
    let started = std::time::Instant::now();
    let report = scan_json(&[s(&root), "-j", "1", "--parser-timeout", "2"]);
    let elapsed = started.elapsed();
    let unreadable = report["unreadable"].as_array().unwrap();
    let reasons: BTreeMap<String, String> = unreadable
        .iter()
        .map(|u| {
            let p = u["path"].as_str().unwrap();
            (
                p.rsplit('/').next().unwrap().to_string(),
                u["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons["a-crash.pdf"].contains("failed on this input"),
        "{reasons:?}"
    );
    assert!(
        reasons["b-crash.pdf"].contains("failed on this input"),
        "{reasons:?}"
    );
    assert!(
        reasons["c-hang.pdf"].contains("gave up after 2 s"),
        "{reasons:?}"
    );
    // Everything else was read: both addresses, five documents.
    assert_eq!(count(&report, "emails", "unique"), 2);
    assert_eq!(count(&report, "documents", "raw"), 5);
    // A sanity bound only (the budget is 2 s; never a performance assertion).
    assert!(elapsed.as_secs() < 120, "{elapsed:?}");
    // No decoder complaint or document text reaches stderr.
    let out = run(&[
        "scan",
        "--quiet",
        "-j",
        "1",
        "--parser-timeout",
        "2",
        s(&root),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("anna@"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn password_protected_office_files_are_reported_as_encrypted() {
    let dir = tempdir();
    let root = dir.path().join("exposed");
    std::fs::create_dir_all(&root).unwrap();
    // An encrypted OOXML package is an OLE file with EncryptionInfo and EncryptedPackage.
    let mut c = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    std::io::Write::write_all(
        &mut c.create_stream("/EncryptionInfo").unwrap(),
        &[4, 0, 4, 0, 0x40, 0, 0, 0],
    )
    .unwrap();
    std::io::Write::write_all(
        &mut c.create_stream("/EncryptedPackage").unwrap(),
        &[7; 4096],
    )
    .unwrap();
    c.flush().unwrap();
    std::fs::write(root.join("contract.docx"), c.into_inner().into_inner()).unwrap();
    let report = scan_json(&[s(&root)]);
    let u = &report["unreadable"][0];
    assert_eq!(
        u["reason"].as_str(),
        Some("encrypted (password-protected Office document)"),
        "{report}"
    );
    assert_eq!(count(&report, "documents", "raw"), 1);
}
