//! `leakdex scan`.

use crate::cli::{Global, LimitArgs, ScanArgs};
use crate::progress::Bar;
use anyhow::{bail, Context};
use leakdex_core::KINDS;
use leakdex_scan::isolate::Isolation;
use leakdex_scan::{Config, FindingRecord, Report, Scanner};
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

pub fn run(args: ScanArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let cfg = config(&args.limits)?;
    let writer = match &args.findings {
        Some(path) => Some(Mutex::new(BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        ))),
        None => None,
    };
    let write_error: Mutex<Option<std::io::Error>> = Mutex::new(None);
    let sink = |f: &FindingRecord| {
        if let Some(w) = &writer {
            let Ok(mut w) = w.lock() else { return };
            let r = serde_json::to_writer(&mut *w, f)
                .map_err(std::io::Error::from)
                .and_then(|()| w.write_all(b"\n"));
            if let Err(e) = r {
                if let Ok(mut slot) = write_error.lock() {
                    slot.get_or_insert(e);
                }
            }
        }
    };
    let scanner = Scanner::new(cfg);
    let bar = Bar::start(scanner.progress(), global.quiet);
    let report = scanner.run(
        &args.sources,
        writer
            .is_some()
            .then_some(&sink as &(dyn Fn(&FindingRecord) + Sync)),
    );
    drop(bar);
    let report = match report {
        Ok(r) => r,
        Err(e) => return Ok(super::source_error(&e)),
    };
    if let Some(w) = writer {
        if let Some(e) = write_error.into_inner().ok().flatten() {
            return Err(e).context("cannot write findings");
        }
        let mut w = w
            .into_inner()
            .map_err(|_| anyhow::anyhow!("findings writer poisoned"))?;
        w.flush().context("cannot write findings")?;
    }
    tracing::info!(
        files = report.files,
        documents = report.counts.documents.raw,
        unreadable = report.unreadable.len(),
        elapsed_ms = report.elapsed_ms,
        "scan finished"
    );
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        summary(&report, &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The scanner configuration the limit flags ask for.
pub fn config(args: &LimitArgs) -> anyhow::Result<Config> {
    let Some(default_region) = leakdex_scan_region(&args.default_region) else {
        bail!(
            "--default-region {:?} is not an ISO 3166 alpha-2 code such as US, DE or GB",
            args.default_region
        );
    };
    Ok(Config {
        max_depth: args.max_depth,
        max_archive_bytes: args.max_archive_bytes,
        max_ratio: args.max_ratio,
        max_member_bytes: args.max_member_bytes,
        max_segment: usize::try_from(args.max_segment_bytes).unwrap_or(usize::MAX),
        blob_timeout: Duration::from_secs(args.blob_timeout),
        default_region,
        threads: args.threads,
        parser_timeout: Duration::from_secs(args.parser_timeout.max(1)),
        isolation: match std::env::current_exe() {
            Ok(exe) if !args.parsers_in_process => Isolation::Process { exe },
            _ => Isolation::Thread,
        },
    })
}

fn leakdex_scan_region(code: &str) -> Option<leakdex_scan::RegionId> {
    code.trim().to_ascii_uppercase().parse().ok()
}

fn summary(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let secs = r.elapsed_ms as f64 / 1000.0;
    let mib = r.bytes as f64 / (1 << 20) as f64;
    writeln!(
        out,
        "Scanned {} files, {:.1} MiB in {:.2} s ({:.0} MiB/s).\n",
        r.files,
        mib,
        secs,
        if secs > 0.0 { mib / secs } else { 0.0 }
    )?;
    writeln!(out, "{:<15} {:>12} {:>12}", "", "raw", "unique")?;
    let c = &r.counts;
    writeln!(
        out,
        "{:<15} {:>12} {:>12}",
        "documents", c.documents.raw, c.documents.unique
    )?;
    writeln!(
        out,
        "{:<15} {:>12} {:>12}",
        "messages", c.messages.raw, c.messages.unique
    )?;
    for kind in KINDS {
        let k = c.kind(kind);
        writeln!(out, "{:<15} {:>12} {:>12}", kind.plural(), k.raw, k.unique)?;
    }
    writeln!(out)?;
    if !r.data_classes.is_empty() {
        writeln!(out, "Data classes: {}", r.data_classes.join(", "))?;
    }
    writeln!(out, "Empty files: {}", r.empty)?;
    if r.unreadable.is_empty() {
        writeln!(out, "Unreadable: none")?;
    } else {
        writeln!(out, "Unreadable: {}", r.unreadable.len())?;
        for u in r.unreadable.iter().take(20) {
            writeln!(out, "  {}: {}", u.path, u.reason)?;
        }
        if r.unreadable.len() > 20 {
            writeln!(
                out,
                "  … {} more (use --json for all)",
                r.unreadable.len() - 20
            )?;
        }
    }
    writeln!(
        out,
        "\nRaw counts every occurrence in every copy; unique counts distinct values (docs/counting.md)."
    )
}
