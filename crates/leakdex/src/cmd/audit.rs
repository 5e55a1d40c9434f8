//! `leakdex audit`: anonymous exposure checks of cloud storage containers.

use crate::cli::{AuditArgs, Global};
use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leakdex_audit::http::Http;
use leakdex_audit::scan::{Bounds, Remote, Sample};
use leakdex_audit::target::{org_targets, AFFIXES};
use leakdex_audit::{Access, Endpoints, Options, Outcome, Target};
use leakdex_index::{Alerts, Ingester, NewBreach};
use leakdex_scan::Scanner;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

pub fn run(args: AuditArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let targets = targets(&args)?;
    if targets.is_empty() {
        bail!("no targets: give TARGET…, -f FILE or --org KEYWORD (see leakdex audit --help)");
    }
    let rt = super::runtime()?;
    let interval = Duration::from_secs_f64(1.0 / args.rate.max(0.01));
    let http = Arc::new(
        Http::new(
            Duration::from_secs(args.timeout.max(1)),
            args.retries,
            interval,
        )
        .map_err(anyhow::Error::msg)?,
    );
    let endpoints = Endpoints {
        s3: args.s3_endpoint.clone(),
        azure: args.azure_endpoint.clone(),
        gcs: args.gcs_endpoint.clone(),
    };
    let opts = Arc::new(Options {
        endpoints: endpoints.clone(),
        objects: args.objects.clone(),
        max_list: args.max_list,
        show_names: args.show_names,
        dns_server: args.dns_server,
    });
    let bar = if global.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b =
            ProgressBar::with_draw_target(Some(targets.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} targets · {per_sec} · ETA {eta}",
        ) {
            b.set_style(style.progress_chars("=> "));
        }
        b
    };
    let mut outcomes: Vec<Outcome> = rt.block_on(async {
        let sem = Arc::new(tokio::sync::Semaphore::new(args.concurrency.max(1)));
        let mut set = tokio::task::JoinSet::new();
        for (i, t) in targets.iter().cloned().enumerate() {
            let (http, opts, sem) = (Arc::clone(&http), Arc::clone(&opts), Arc::clone(&sem));
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                (i, leakdex_audit::audit(&http, &opts, &t).await)
            });
        }
        // Every target keeps its place: one whose task failed is an `error` outcome.
        let mut done: Vec<Option<Outcome>> = vec![None; targets.len()];
        while let Some(r) = set.join_next().await {
            bar.inc(1);
            if let Ok((i, o)) = r {
                if let Some(slot) = done.get_mut(i) {
                    *slot = Some(o);
                }
            }
        }
        done.into_iter()
            .zip(&targets)
            .map(|(o, t)| o.unwrap_or_else(|| Outcome::failed(t, "the probe failed")))
            .collect()
    });
    bar.finish_and_clear();
    // --ingest: the index and its observer, opened before any object is read.
    let ingest = match (&args.ingest, &args.breach) {
        (true, Some(name)) => {
            let index = rt.block_on(super::open(&global.db))?;
            let id = rt.block_on(index.ensure_breach(&NewBreach {
                name: name.clone(),
                title: None,
                breach_date: None,
                description: None,
                domain: None,
            }))?;
            let ingester = rt.block_on(Ingester::new(&index, id))?;
            Some((index, id, ingester))
        }
        _ => None,
    };
    if args.scan || ingest.is_some() {
        let mut cfg = super::scan::config(&args.limits)?;
        cfg.top = 5;
        let scanner = Scanner::new(cfg);
        let bounds = Bounds {
            max_objects: args.max_objects,
            max_bytes_per_object: args.max_bytes_per_object.max(1),
            max_total_bytes: args.max_total_bytes.max(1),
            sample: if args.sample == "random" {
                Sample::Random
            } else {
                Sample::First
            },
        };
        for (o, t) in outcomes.iter_mut().zip(&targets) {
            if !matches!(o.access, Access::Listable | Access::Readable) || o.names.is_empty() {
                continue;
            }
            let scan_bar = crate::progress::Bar::start(scanner.progress(), global.quiet);
            let remote = Remote {
                rt: rt.handle(),
                http: Arc::clone(&http),
                endpoints: &endpoints,
            };
            let r = leakdex_audit::scan::scan(
                &remote,
                t,
                o,
                &bounds,
                &scanner,
                ingest
                    .as_ref()
                    .map(|(_, _, i)| i as &dyn leakdex_scan::observe::Observer),
            );
            drop(scan_bar);
            match r {
                Ok((summary, _)) => o.scan = Some(summary),
                Err(e) => tracing::warn!(target = %o.target, error = %e, "scan failed"),
            }
        }
    }
    if let Some((index, id, ingester)) = ingest {
        let stats = rt.block_on(ingester.finish())?;
        rt.block_on(index.materialize(id, Alerts::Queue))?;
        let name = args.breach.as_deref().unwrap_or_default();
        if let Some(b) = rt.block_on(index.breach(name))? {
            eprintln!(
                "Loaded {} new objects into breach {name} ({} accounts); {} were already indexed.",
                stats.new, b.pwn_count, stats.skipped
            );
        }
        rt.block_on(index.close());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &outcomes)?;
        writeln!(out)?;
    } else {
        table(&outcomes, &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn targets(args: &AuditArgs) -> anyhow::Result<Vec<Target>> {
    let mut raw: Vec<String> = args.targets.clone();
    if let Some(f) = &args.file {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read targets from {}", f.display()))?;
        raw.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string),
        );
    }
    let mut out = Vec::new();
    for r in raw {
        out.push(Target::parse(&r).map_err(|e| anyhow::anyhow!("bad target {e}"))?);
    }
    if let Some(k) = &args.org {
        let mut affixes: Vec<String> = AFFIXES.iter().map(|s| s.to_string()).collect();
        if let Some(w) = &args.wordlist {
            let text = std::fs::read_to_string(w)
                .with_context(|| format!("cannot read the word list {}", w.display()))?;
            affixes.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string),
            );
        }
        let mut t = org_targets(k, &affixes);
        // Emulators and S3-compatible stores answer only for their own provider.
        if args.s3_endpoint.is_some()
            || args.azure_endpoint.is_some()
            || args.gcs_endpoint.is_some()
        {
            t.retain(|t| match t.provider {
                leakdex_audit::Provider::S3 => args.s3_endpoint.is_some(),
                leakdex_audit::Provider::Azure => args.azure_endpoint.is_some(),
                leakdex_audit::Provider::Gcs => args.gcs_endpoint.is_some(),
            });
        }
        out.extend(t);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert(t.to_string()));
    Ok(out)
}

fn table(outcomes: &[Outcome], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<44} {:<16} {:<28} {:>8} {:>12}  newest",
        "target", "access", "evidence", "objects", "bytes"
    )?;
    for o in outcomes {
        // The evidence that decided: a successful read for readable containers, else the
        // listing's answer.
        let decisive = if o.access == Access::Readable {
            o.evidence
                .iter()
                .rev()
                .find(|e| e.request == "read" && matches!(e.status, Some(200 | 206)))
        } else {
            o.evidence.iter().rev().find(|e| e.request != "read")
        };
        let ev = decisive
            .or(o.evidence.last())
            .map(|e| match (e.status, &e.code, &e.error) {
                (Some(s), Some(c), _) => format!("{} {s} {c}", e.request),
                (Some(s), None, _) => format!("{} {s}", e.request),
                (None, _, Some(err)) => format!("{} {err}", e.request),
                _ => e.request.clone(),
            });
        let (objects, bytes, newest) = match &o.listing {
            Some(l) => (
                format!("{}{}", l.objects, if l.truncated { "+" } else { "" }),
                l.bytes.to_string(),
                l.newest.clone().unwrap_or_default(),
            ),
            None if o.readable_objects > 0 => {
                (o.readable_objects.to_string(), String::new(), String::new())
            }
            None => (String::new(), String::new(), String::new()),
        };
        writeln!(
            out,
            "{:<44} {:<16} {:<28} {:>8} {:>12}  {}",
            o.target,
            o.access.as_str(),
            ev.unwrap_or_default(),
            objects,
            bytes,
            newest
        )?;
        if o.objects_readable == Some(false) {
            writeln!(out, "    listed objects are not readable anonymously")?;
        }
        if let Some(l) = &o.listing {
            let mut ext: Vec<_> = l.extensions.iter().collect();
            ext.sort_by(|a, b| b.1.cmp(a.1));
            let shown: Vec<String> = ext
                .iter()
                .take(8)
                .map(|(e, n)| format!("{}: {n}", if e.is_empty() { "(none)" } else { e.as_str() }))
                .collect();
            writeln!(out, "    extensions: {}", shown.join(", "))?;
            if let Some(names) = &l.names {
                for n in names.iter().take(50) {
                    writeln!(out, "    {n}")?;
                }
            }
        }
        if let Some(s) = &o.scan {
            writeln!(
                out,
                "    scanned {} objects ({} bytes): {} unique e-mail addresses, sensitivity {}/100",
                s.objects, s.bytes, s.counts.emails.unique, s.sensitivity.score
            )?;
            if !s.data_classes.is_empty() {
                writeln!(out, "    data classes: {}", s.data_classes.join(", "))?;
            }
            if !s.document_types.is_empty() {
                let t: Vec<String> = s
                    .document_types
                    .iter()
                    .map(|(k, c)| format!("{k}: {}", c.unique))
                    .collect();
                writeln!(out, "    document types: {}", t.join(", "))?;
            }
        }
    }
    writeln!(
        out,
        "\nAnonymous requests only. Object names are not shown unless --show-names: they leak too."
    )
}
