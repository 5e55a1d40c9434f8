//! One file per command.

mod audit;
mod breach;
mod corpus;
mod demo;
mod export;
mod ingest;
mod notify;
mod parquet;
mod scan;
mod search;
mod serve;

use crate::cli::{Cli, Command, CorpusCommand};
use anyhow::Context;
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan::run(args, &cli.global),
        Command::Audit(args) => audit::run(args, &cli.global),
        Command::Corpus(CorpusCommand::Generate(args)) => corpus::generate(args, &cli.global),
        Command::Ingest(args) => ingest::run(args, &cli.global),
        Command::Breach(cmd) => breach::run(cmd, &cli.global),
        Command::Search(args) => search::run(args, &cli.global),
        Command::Export(args) => export::run(args, &cli.global),
        Command::Serve(args) => serve::run(args, &cli.global),
        Command::Demo(args) => demo::run(args, &cli.global),
        Command::Keys(cmd) => serve::keys(cmd, &cli.global),
        Command::AuditLog(args) => serve::audit_log(args, &cli.global),
        Command::Subscriptions(cmd) => notify::subscriptions(cmd, &cli.global),
        Command::Notify(cmd) => notify::run(cmd, &cli.global),
    }
}

/// The async runtime the index runs on. The scanner's worker threads stay outside it and
/// enter it through its handle.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Opens the index at `--db`, saying which one on failure (the URL may carry a password,
/// so only its scheme is shown).
async fn open(url: &str) -> anyhow::Result<leakdex_index::Index> {
    let scheme = url.split(':').next().unwrap_or("");
    leakdex_index::Index::open(url)
        .await
        .with_context(|| format!("cannot open the index (--db {scheme}:…)"))
}

/// A source given on the command line cannot be read: say so, with what to do (exit 1).
fn source_error(e: &leakdex_scan::Error) -> ExitCode {
    eprintln!("leakdex: {e}");
    eprintln!("Check the path, or pass `-` to read from stdin.");
    ExitCode::from(1)
}
