//! Generates a corpus: `cargo run --release -p leakdex-corpus --example generate -- DIR [ORGS] [SEED] [SIZE_MB]`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .ok_or("usage: generate DIR [ORGS] [SEED] [SIZE_MB]")?;
    let mut opts = leakdex_corpus::Options::default();
    if let Some(n) = args.get(1) {
        opts.orgs = n.parse()?;
    }
    if let Some(s) = args.get(2) {
        opts.seed = s.parse()?;
    }
    if let Some(mb) = args.get(3) {
        opts.size_mb = Some(mb.parse()?);
    }
    let t0 = std::time::Instant::now();
    let truth = leakdex_corpus::generate(std::path::Path::new(dir), &opts)?;
    println!(
        "{} files, {} documents, {} unique e-mails in {:.2?}",
        truth.files.len(),
        truth.counts.documents.raw,
        truth.counts.emails.unique,
        t0.elapsed()
    );
    Ok(())
}
