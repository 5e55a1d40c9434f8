//! Golden tests: every input in `tests/golden/` is scanned alone and its findings (kind,
//! value, context — one line each, sorted) must equal `NAME.expected` beside it. On a
//! mismatch the actual output is written to `NAME.failed` for diffing.
//! `LEAKDEX_BLESS=1 cargo test -p leakdex-scan --test golden` rewrites the expectations —
//! review every changed line before committing them.

use leakdex_scan::{Config, FindingRecord, Scanner};
use std::path::Path;
use std::sync::Mutex;

fn findings_of(path: &Path) -> (String, leakdex_scan::Report) {
    let found = Mutex::new(Vec::new());
    let sink = |f: &FindingRecord| {
        found
            .lock()
            .unwrap()
            .push(format!("{}\t{}\t{}", f.kind.as_str(), f.value, f.context));
    };
    let cfg = Config {
        threads: 1,
        ..Config::default()
    };
    let report = Scanner::new(cfg)
        .run(&[path.to_path_buf()], Some(&sink))
        .unwrap();
    let mut lines = found.into_inner().unwrap();
    lines.sort();
    let mut out = lines.join("\n");
    out.push('\n');
    (out, report)
}

#[test]
fn golden_inputs_give_their_expected_findings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("LEAKDEX_BLESS").is_some();
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            !n.ends_with(".expected") && !n.ends_with(".failed")
        })
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 10,
        "golden corpus is too small: {}",
        inputs.len()
    );
    let mut failed = Vec::new();
    for input in &inputs {
        let (actual, report) = findings_of(input);
        assert!(
            report.unreadable.is_empty(),
            "{}: {:?}",
            input.display(),
            report.unreadable
        );
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let expected_path = dir.join(format!("{name}.expected"));
        let failed_path = dir.join(format!("{name}.failed"));
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            std::fs::write(&failed_path, &actual).unwrap();
            failed.push(name);
        } else {
            let _ = std::fs::remove_file(&failed_path);
        }
    }
    assert!(
        failed.is_empty(),
        "findings differ for {failed:?}: diff tests/golden/NAME.expected NAME.failed"
    );
}

/// Without distinct counting (as an ingest runs the scanner) the raw counts, the
/// documents and the findings are the same; only the per-kind `unique` counts are left
/// at zero.
#[test]
fn without_distinct_counts_only_the_unique_counts_change() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let run = |count_unique: bool| {
        let cfg = Config {
            threads: 2,
            count_unique,
            ..Config::default()
        };
        Scanner::new(cfg)
            .run(std::slice::from_ref(&dir), None)
            .unwrap()
            .counts
    };
    let (with, without) = (run(true), run(false));
    assert!(with.emails.unique > 0 && with.phones.unique > 0, "{with:?}");
    assert_eq!(with.documents, without.documents);
    assert_eq!(with.messages, without.messages);
    for (a, b) in [
        (&with.emails, &without.emails),
        (&with.domains, &without.domains),
        (&with.phones, &without.phones),
        (&with.organizations, &without.organizations),
    ] {
        assert_eq!(a.raw, b.raw);
        assert_eq!(b.unique, 0);
    }
}
