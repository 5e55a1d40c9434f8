//! Helpers: run the binary, make temp dirs, find the shared corpora.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leakdex"));
    c.env_remove("LEAKDEX_LOG").env_remove("LEAKDEX_DB");
    c
}

/// Runs `leakdex ARGS`, returning its output; panics with stderr if it could not start.
pub fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the leakdex binary runs")
}

/// `leakdex scan --json ARGS` → the report as JSON (asserting exit code 0).
pub fn scan_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["scan", "--json", "-q"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(
        out.status.success(),
        "leakdex {all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("scan --json prints one JSON object")
}

pub fn count(report: &serde_json::Value, kind: &str, which: &str) -> u64 {
    report["counts"][kind][which]
        .as_u64()
        .unwrap_or_else(|| panic!("report has no counts.{kind}.{which}: {report}"))
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("leakdex-test-")
        .tempdir()
        .expect("a temp dir")
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// `../shared` (or `$LEAKDEX_SHARED`), as found at build time. Tests that use it are
/// `#[cfg_attr(not(has_shared), ignore)]`, so this is only called when it exists.
pub fn shared() -> PathBuf {
    let dir = env!("LEAKDEX_SHARED_DIR");
    assert!(!dir.is_empty(), "shared corpora missing (see build.rs)");
    PathBuf::from(dir)
}

/// `leakdex corpus generate` into `DIR/corpus-SEED`; returns the corpus path and its truth
/// (checked to be written beside the corpus, never inside it).
pub fn generate(
    dir: &Path,
    seed: u64,
    orgs: usize,
    size: Option<u64>,
) -> (PathBuf, serde_json::Value) {
    let out = dir.join(format!("corpus-{seed}"));
    let (seed_s, orgs_s) = (seed.to_string(), orgs.to_string());
    let size_s = size.map(|m| m.to_string());
    let mut args = vec![
        "-q",
        "corpus",
        "generate",
        "--out",
        s(&out),
        "--seed",
        &seed_s,
        "--orgs",
        &orgs_s,
    ];
    if let Some(m) = &size_s {
        args.extend(["--size", m.as_str()]);
    }
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let truth_path = dir.join(format!("corpus-{seed}.truth.json"));
    assert!(
        truth_path.is_file(),
        "the truth file is written beside the corpus"
    );
    assert!(!out.join(format!("corpus-{seed}.truth.json")).exists());
    let truth = std::fs::read(truth_path).expect("truth file");
    (out, serde_json::from_slice(&truth).expect("truth JSON"))
}
