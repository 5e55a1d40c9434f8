//! `leakdex scan`.

use crate::cli::{Global, LimitArgs, ScanArgs};
use crate::progress::Bar;
use anyhow::{bail, Context};
use leakdex_core::KINDS;
use leakdex_scan::isolate::Isolation;
use leakdex_scan::{Config, DocumentRecord, FindingRecord, Report, Scanner};
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

pub fn run(args: ScanArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let mut cfg = config(&args.limits)?;
    cfg.top = args.top;
    let findings = JsonLines::create(args.findings.as_deref())?;
    let documents = JsonLines::create(args.documents.as_deref())?;
    let finding_sink = |f: &FindingRecord| findings.write(f);
    let document_sink = |d: &DocumentRecord| documents.write(d);
    let scanner = Scanner::new(cfg);
    let bar = Bar::start(scanner.progress(), global.quiet);
    let report = scanner.run_full(
        &args.sources,
        findings
            .is_on()
            .then_some(&finding_sink as &(dyn Fn(&FindingRecord) + Sync)),
        documents
            .is_on()
            .then_some(&document_sink as &(dyn Fn(&DocumentRecord) + Sync)),
        None,
    );
    drop(bar);
    let report = match report {
        Ok(r) => r,
        Err(e) => return Ok(super::source_error(&e)),
    };
    findings.finish().context("cannot write findings")?;
    documents.finish().context("cannot write documents")?;
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
        top: 10,
        count_unique: true,
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
    if !r.document_types.is_empty() {
        writeln!(out, "{:<20} {:>8} {:>8}", "Document types", "raw", "unique")?;
        let mut types: Vec<_> = r.document_types.iter().collect();
        types.sort_by(|a, b| b.1.raw.cmp(&a.1.raw).then(a.0.cmp(b.0)));
        for (t, c) in types {
            writeln!(out, "  {:<18} {:>8} {:>8}", t, c.raw, c.unique)?;
        }
        writeln!(out)?;
    }
    if !r.data_classes.is_empty() {
        writeln!(out, "Data classes: {}", r.data_classes.join(", "))?;
    }
    if !r.top_documents.is_empty() {
        writeln!(
            out,
            "Sensitivity: {}/100. Most sensitive documents:",
            r.sensitivity.score
        )?;
        for d in &r.top_documents {
            let ty = if d.signed {
                "signed contract".to_string()
            } else {
                d.doc_type.as_str().replace('_', " ")
            };
            writeln!(
                out,
                "  {:>3}  {:<18} {}\n       {}",
                d.sensitivity.score,
                ty,
                d.path,
                d.sensitivity.reasons.join("; ")
            )?;
        }
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

/// A JSON-lines file written from the scan's worker threads; the first write error is
/// kept and reported at the end.
struct JsonLines {
    writer: Option<Mutex<BufWriter<std::fs::File>>>,
    error: Mutex<Option<std::io::Error>>,
}

impl JsonLines {
    fn create(path: Option<&std::path::Path>) -> anyhow::Result<JsonLines> {
        let writer = match path {
            Some(p) => Some(Mutex::new(BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("cannot create {}", p.display()))?,
            ))),
            None => None,
        };
        Ok(JsonLines {
            writer,
            error: Mutex::new(None),
        })
    }

    fn is_on(&self) -> bool {
        self.writer.is_some()
    }

    fn write(&self, value: &impl serde::Serialize) {
        let Some(w) = &self.writer else { return };
        let Ok(mut w) = w.lock() else { return };
        let r = serde_json::to_writer(&mut *w, value)
            .map_err(std::io::Error::from)
            .and_then(|()| w.write_all(b"\n"));
        if let Err(e) = r {
            if let Ok(mut slot) = self.error.lock() {
                slot.get_or_insert(e);
            }
        }
    }

    fn finish(self) -> std::io::Result<()> {
        if let Some(e) = self.error.into_inner().ok().flatten() {
            return Err(e);
        }
        if let Some(w) = self.writer {
            let mut w = w
                .into_inner()
                .map_err(|_| std::io::Error::other("writer poisoned"))?;
            w.flush()?;
        }
        Ok(())
    }
}
