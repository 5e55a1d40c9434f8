//! Finds `../shared` (the team's read-only corpora) so that tests which need it run when
//! it is there and are reported as *ignored* — never as passed — when it is not.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_shared)");
    println!("cargo::rerun-if-env-changed=LEAKDEX_SHARED");
    let dir = std::env::var_os("LEAKDEX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    println!("cargo::rerun-if-changed={}", dir.display());
    if dir.join("corpora").is_dir() {
        let dir = dir.canonicalize().unwrap_or(dir);
        println!("cargo::rustc-cfg=has_shared");
        println!("cargo::rustc-env=LEAKDEX_SHARED_DIR={}", dir.display());
    } else {
        println!(
            "cargo::warning=shared corpora not found at {}: tests that need them are IGNORED (set LEAKDEX_SHARED=/path/to/shared)",
            dir.display()
        );
        println!("cargo::rustc-env=LEAKDEX_SHARED_DIR=");
    }
}
