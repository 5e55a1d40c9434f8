//! `leakdex ingest`: scan, write metadata per top-level blob, then derive the counts.

use crate::cli::{Global, IngestArgs};
use crate::progress::Bar;
use leakdex_index::{Alerts, Ingester, NewBreach};
use leakdex_scan::Scanner;
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: IngestArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let cfg = super::scan::config(&args.limits)?;
    let rt = super::runtime()?;
    let index = rt.block_on(super::open(&global.db))?;
    let new = NewBreach {
        name: args.breach.clone(),
        title: args.title.clone(),
        breach_date: args.breach_date.clone(),
        description: args.description.clone(),
        domain: args.domain.clone(),
    };
    let id = rt.block_on(index.ensure_breach(&new))?;
    let ingester = rt.block_on(Ingester::new(&index, id))?;
    // The index counts distinct values; the scanner's own sets would go unused.
    let scanner = Scanner::new(leakdex_scan::Config {
        count_unique: false,
        ..cfg
    });
    let bar = Bar::start(scanner.progress(), global.quiet);
    // Scanner threads are outside the runtime; the ingester enters it per blob.
    let report = scanner.run_observed(&args.sources, None, Some(&ingester));
    drop(bar);
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            rt.block_on(index.close());
            return Ok(super::source_error(&e));
        }
    };
    let stats = rt.block_on(ingester.finish())?;
    tracing::info!(
        new = stats.new,
        skipped = stats.skipped,
        "blobs written; deriving counts"
    );
    let alerts = if args.hold_alerts {
        Alerts::Hold
    } else {
        Alerts::Queue
    };
    let queued = rt.block_on(index.materialize(id, alerts))?;
    let breach = rt
        .block_on(index.breach(&args.breach))?
        .ok_or_else(|| anyhow::anyhow!("breach {} vanished during the ingest", args.breach))?;
    let domains = rt.block_on(index.top_domains(id, 10))?;
    rt.block_on(index.close());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &breach)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "Loaded {} new top-level files into breach {}; {} were already indexed and skipped.",
            stats.new, breach.name, stats.skipped
        )?;
        if !report.unreadable.is_empty() {
            writeln!(
                out,
                "{} blobs were unreadable (`leakdex scan` lists them with reasons).",
                report.unreadable.len()
            )?;
        }
        if queued > 0 {
            writeln!(
                out,
                "{queued} alerts to subscribed domains {} (`leakdex notify preview {}`).",
                if args.hold_alerts {
                    "are held until `leakdex notify release`"
                } else {
                    "are queued for delivery"
                },
                breach.name
            )?;
        }
        writeln!(out, "\nThe breach now holds:\n")?;
        super::breach::explain(&breach, &domains, &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
