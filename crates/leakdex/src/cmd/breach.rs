//! `leakdex breach list | show | update | delete`.

use crate::cli::{BreachCommand, Global};
use leakdex_index::{Breach, DomainCount};
use std::io::Write;
use std::process::ExitCode;

pub fn run(cmd: BreachCommand, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    let index = rt.block_on(super::open(&global.db))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let code = match cmd {
        BreachCommand::List { json } => {
            let all = rt.block_on(index.breaches())?;
            if json {
                serde_json::to_writer_pretty(&mut out, &all)?;
                writeln!(out)?;
            } else if all.is_empty() {
                writeln!(
                    out,
                    "No breaches yet: load one with `leakdex ingest SOURCE --breach NAME`."
                )?;
            } else {
                writeln!(
                    out,
                    "{:<24} {:>10}  {:<10}  data classes",
                    "name", "accounts", "flags"
                )?;
                for b in &all {
                    writeln!(
                        out,
                        "{:<24} {:>10}  {:<10}  {}",
                        b.name,
                        b.pwn_count,
                        flags(b),
                        b.data_classes.join(", ")
                    )?;
                }
            }
            ExitCode::SUCCESS
        }
        BreachCommand::Show { name, json } => match rt.block_on(index.breach(&name))? {
            Some(b) => {
                if json {
                    serde_json::to_writer_pretty(&mut out, &b)?;
                    writeln!(out)?;
                } else {
                    let domains = rt.block_on(index.top_domains(b.id, 10))?;
                    let groups = rt.block_on(index.org_groups(b.id))?;
                    explain(&b, &domains, &mut out)?;
                    writeln!(
                        out,
                        "\nOrganisations: {} domains in {} organisation groups (branches under other \
                         ccTLDs grouped; `leakdex search COMPANY` lists them).",
                        groups.0, groups.1
                    )?;
                }
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("leakdex: no breach named {name:?} (see `leakdex breach list`)");
                ExitCode::from(1)
            }
        },
        BreachCommand::Update(args) => {
            rt.block_on(index.update_breach(&args.name, &args.update()))?;
            writeln!(out, "Updated breach {}.", args.name)?;
            ExitCode::SUCCESS
        }
        BreachCommand::Seal { name } => match rt.block_on(index.seal_breach(&name))? {
            Some(dropped) => {
                writeln!(
                    out,
                    "Sealed breach {name}: its counts, accounts, domains and organisations are \
                     kept as they are; {dropped} blobs of its graph were dropped. Further \
                     ingests into it are refused."
                )?;
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("leakdex: no breach named {name:?} (see `leakdex breach list`)");
                ExitCode::from(1)
            }
        },
        BreachCommand::Delete { name } => {
            if rt.block_on(index.delete_breach(&name))? {
                writeln!(
                    out,
                    "Deleted breach {name} and the metadata only it needed."
                )?;
                ExitCode::SUCCESS
            } else {
                eprintln!("leakdex: no breach named {name:?} (see `leakdex breach list`)");
                ExitCode::from(1)
            }
        }
    };
    rt.block_on(index.close());
    Ok(code)
}

fn flags(b: &Breach) -> String {
    let mut f = Vec::new();
    for (on, name) in [
        (b.is_verified, "verified"),
        (b.is_sensitive, "sensitive"),
        (b.is_retired, "retired"),
        (b.is_fabricated, "fabricated"),
        (b.is_spam_list, "spam-list"),
        (b.is_malware, "malware"),
        (b.is_stealer_log, "stealer-log"),
        (b.is_subscription_free, "subscription-free"),
        (!b.counts_complete, "INCOMPLETE"),
        (b.sealed, "sealed"),
    ] {
        if on {
            f.push(name);
        }
    }
    if f.is_empty() {
        "-".into()
    } else {
        f.join(",")
    }
}

/// The counts of a breach, with what each one means.
pub fn explain(b: &Breach, domains: &[DomainCount], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{} — {} ({})", b.name, b.title, flags(b))?;
    writeln!(
        out,
        "Breach date {} · added {} · modified {}",
        b.breach_date, b.added_date, b.modified_date
    )?;
    writeln!(
        out,
        "Accounts (unique e-mail addresses, PwnCount): {}",
        b.pwn_count
    )?;
    writeln!(out, "Data classes: {}\n", b.data_classes.join(", "))?;
    writeln!(
        out,
        "{:<15} {:>12} {:>12} {:>12}",
        "", "raw", "unique", "duplicates"
    )?;
    let order = [
        "documents",
        "messages",
        "emails",
        "domains",
        "organizations",
        "persons",
        "phones",
        "cards",
        "ibans",
        "secrets",
    ];
    for what in order {
        let c = b.counts.get(what).copied().unwrap_or_default();
        writeln!(
            out,
            "{:<15} {:>12} {:>12} {:>12}",
            what,
            c.raw,
            c.unique,
            c.raw.saturating_sub(c.unique)
        )?;
    }
    if !b.document_types.is_empty() {
        let types: Vec<String> = b
            .document_types
            .iter()
            .map(|(t, c)| format!("{t} {}/{}", c.raw, c.unique))
            .collect();
        writeln!(out, "\nDocument types (raw/unique): {}", types.join(", "))?;
    }
    if let Some(c) = b.counts.get("unreadable").filter(|c| c.unique > 0) {
        writeln!(out, "Unreadable blobs: {}", c.unique)?;
    }
    if !domains.is_empty() {
        writeln!(
            out,
            "\nTop domains:  accounts  occurrences  documents  messages"
        )?;
        for d in domains {
            writeln!(
                out,
                "  {:<28} {:>8} {:>12} {:>10} {:>9}",
                d.domain, d.accounts, d.occurrences, d.documents, d.messages
            )?;
        }
    }
    if !b.counts_complete {
        writeln!(
            out,
            "\nINCOMPLETE: an ingest did not finish; re-run it to complete the counts."
        )?;
    }
    if b.sealed {
        writeln!(
            out,
            "\nSealed: these counts are final (the blob graph was dropped; no further loads)."
        )?;
    }
    writeln!(
        out,
        "\nRaw counts every occurrence in every copy; unique counts distinct values;\n\
         duplicates = raw − unique (copies of files and messages, repeated values).\n\
         Definitions: docs/counting.md."
    )
}
