//! `leakdex export` and `leakdex export range`.

use crate::cli::{ExportArgs, ExportCommand, ExportFormat, ExportTable, Global};
use anyhow::Context;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: ExportArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    let index = rt.block_on(super::open(&global.db))?;
    let result = match &args.command {
        Some(ExportCommand::Range { out }) => range(&rt, &index, out),
        None => rows(&rt, &index, &args),
    };
    rt.block_on(index.close());
    let (n, what) = result?;
    if !global.quiet {
        eprintln!("Exported {n} {what}.");
    }
    Ok(ExitCode::SUCCESS)
}

fn rows(
    rt: &tokio::runtime::Runtime,
    index: &leakdex_index::Index,
    args: &ExportArgs,
) -> anyhow::Result<(u64, &'static str)> {
    let sink: Box<dyn Write + Send> = if args.out.as_os_str() == "-" {
        Box::new(std::io::stdout())
    } else {
        Box::new(
            std::fs::File::create(&args.out)
                .with_context(|| format!("cannot create {}", args.out.display()))?,
        )
    };
    let mut out = BufWriter::new(sink);
    let n = match args.format {
        ExportFormat::Jsonl => {
            let mut line = |v: &dyn erased::Json| -> std::io::Result<()> {
                v.write(&mut out)?;
                out.write_all(b"\n")
            };
            match args.table {
                ExportTable::Accounts => rt.block_on(index.export_accounts(|r| line(&r)))?,
                ExportTable::Domains => rt.block_on(index.export_domains(|r| line(&r)))?,
                ExportTable::Organizations => {
                    rt.block_on(index.export_organizations(|r| line(&r)))?
                }
            }
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            let n = match args.table {
                ExportTable::Accounts => {
                    rt.block_on(index.export_accounts(|r| w.serialize(r).map_err(csv_io)))?
                }
                ExportTable::Domains => {
                    rt.block_on(index.export_domains(|r| w.serialize(r).map_err(csv_io)))?
                }
                ExportTable::Organizations => {
                    rt.block_on(index.export_organizations(|r| w.serialize(r).map_err(csv_io)))?
                }
            };
            w.flush()?;
            n
        }
        ExportFormat::Parquet => {
            use super::parquet::{Writer, ACCOUNTS, DOMAINS, ORGANIZATIONS};
            let (name, columns) = match args.table {
                ExportTable::Accounts => ("accounts", ACCOUNTS),
                ExportTable::Domains => ("domains", DOMAINS),
                ExportTable::Organizations => ("organizations", ORGANIZATIONS),
            };
            let mut w = Writer::new(&mut out, name, columns)?;
            let n = match args.table {
                ExportTable::Accounts => rt.block_on(index.export_accounts(|r| w.push(&r)))?,
                ExportTable::Domains => rt.block_on(index.export_domains(|r| w.push(&r)))?,
                ExportTable::Organizations => {
                    rt.block_on(index.export_organizations(|r| w.push(&r)))?
                }
            };
            w.finish()?;
            n
        }
    };
    out.flush().context("cannot write the export")?;
    Ok((
        n,
        match args.table {
            ExportTable::Accounts => "account × breach rows",
            ExportTable::Domains => "domain × breach rows",
            ExportTable::Organizations => "organisation × breach rows",
        },
    ))
}

fn csv_io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Serialises any row type as one JSON value (object-safe, for the closure above).
mod erased {
    pub trait Json {
        fn write(&self, w: &mut dyn std::io::Write) -> std::io::Result<()>;
    }
    impl<T: serde::Serialize> Json for T {
        fn write(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
            serde_json::to_writer(w, self).map_err(std::io::Error::from)
        }
    }
}

fn range(
    rt: &tokio::runtime::Runtime,
    index: &leakdex_index::Index,
    dir: &Path,
) -> anyhow::Result<(u64, &'static str)> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut current: Option<(String, BufWriter<std::fs::File>)> = None;
    let mut files = 0u64;
    let n = rt.block_on(index.export_range(|sha1, names| {
        let (prefix, suffix) = sha1.split_at(5.min(sha1.len()));
        if current.as_ref().is_none_or(|(p, _)| p != prefix) {
            if let Some((_, mut f)) = current.take() {
                f.flush()?;
            }
            let f = std::fs::File::create(dir.join(prefix))?;
            current = Some((prefix.to_string(), BufWriter::new(f)));
            files += 1;
        }
        if let Some((_, f)) = current.as_mut() {
            writeln!(f, "{suffix}:{}", names.join(","))?;
        }
        Ok(())
    }))?;
    if let Some((_, mut f)) = current.take() {
        f.flush().context("cannot write a range file")?;
    }
    tracing::info!(files, addresses = n, "range files written");
    Ok((n, "addresses into range files"))
}
