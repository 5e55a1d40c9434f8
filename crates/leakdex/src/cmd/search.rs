//! `leakdex search EMAIL|DOMAIN`.

use crate::cli::{Global, SearchArgs};
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: SearchArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    let index = rt.block_on(super::open(&global.db))?;
    let q = args.query.trim();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if q.contains('@') {
        let hits = rt.block_on(index.search_email(q))?;
        rt.block_on(index.close());
        if args.json {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({ "email": q.to_lowercase(), "breaches": hits }),
            )?;
            writeln!(out)?;
        } else if hits.is_empty() {
            writeln!(out, "{q}: in no breach of this index.")?;
        } else {
            writeln!(out, "{q}: in {} breach(es).", hits.len())?;
            for h in &hits {
                writeln!(
                    out,
                    "  {} ({}) — {} occurrence(s); {}{}",
                    h.breach,
                    h.title,
                    h.occurrences,
                    h.data_classes.join(", "),
                    if h.is_sensitive { " [sensitive]" } else { "" }
                )?;
            }
        }
    } else if q.contains(' ') || leakdex_core::registrable_domain(q).is_none() {
        let hits = rt.block_on(index.search_org(q))?;
        rt.block_on(index.close());
        if args.json {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({ "company": q, "organizations": hits }),
            )?;
            writeln!(out)?;
        } else if hits.is_empty() {
            writeln!(out, "{q}: no organisation of that name in this index.")?;
        } else {
            for h in &hits {
                writeln!(
                    out,
                    "{} in {}: {} accounts, {} occurrences, {} branch domain(s)",
                    h.organization,
                    h.breach,
                    h.accounts,
                    h.occurrences,
                    h.branches.len()
                )?;
                for b in &h.branches {
                    writeln!(
                        out,
                        "  {}: {} accounts, {} occurrences",
                        b.domain, b.accounts, b.occurrences
                    )?;
                }
            }
        }
    } else {
        let hits = rt.block_on(index.search_domain(q))?;
        rt.block_on(index.close());
        if args.json {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({ "domain": q.to_lowercase(), "breaches": hits }),
            )?;
            writeln!(out)?;
        } else if hits.is_empty() {
            writeln!(out, "{q}: named in no breach of this index.")?;
        } else {
            writeln!(
                out,
                "{q}: named in {} breach(es). Addresses are shown only to a verified owner.",
                hits.len()
            )?;
            for h in &hits {
                writeln!(
                    out,
                    "  {} ({}): {} accounts, {} occurrences, {} documents, {} messages; {}",
                    h.breach,
                    h.title,
                    h.accounts,
                    h.occurrences,
                    h.documents,
                    h.messages,
                    h.data_classes.join(", ")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
