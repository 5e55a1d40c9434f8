//! `leakdex corpus generate`.

use crate::cli::{GenerateArgs, Global};
use anyhow::Context;
use std::process::ExitCode;

pub fn generate(args: GenerateArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let opts = leakdex_corpus::Options {
        orgs: args.orgs,
        seed: args.seed,
        size_mb: args.size,
    };
    let truth_file = leakdex_corpus::truth_path(&args.out);
    if args.force && args.out.is_dir() && truth_file.is_file() {
        std::fs::remove_dir_all(&args.out)
            .with_context(|| format!("cannot remove {}", args.out.display()))?;
        std::fs::remove_file(&truth_file)
            .with_context(|| format!("cannot remove {}", truth_file.display()))?;
    }
    let truth = leakdex_corpus::generate(&args.out, &opts)
        .with_context(|| format!("cannot generate a corpus in {}", args.out.display()))?;
    if !global.quiet {
        let c = &truth.counts;
        eprintln!(
            "Wrote {} documents ({} unique), {} unique e-mail addresses of {} organisations to {}",
            c.documents.raw,
            c.documents.unique,
            c.emails.unique,
            truth.organizations.len(),
            args.out.display()
        );
        eprintln!(
            "Ground truth: {}",
            leakdex_corpus::truth_path(&args.out).display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
