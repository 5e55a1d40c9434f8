//! `leakdex`: find out who was exposed in a data leak, and what — without becoming a
//! second leak. This binary only parses the command line and wires the library crates
//! together; see `docs/ARCHITECTURE.md`.

mod cli;
mod cmd;
mod progress;
mod size;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // `leakdex __decode-worker`: a child that parses PDFs and workbooks for a scan.
    if std::env::args_os().nth(1).as_deref()
        == Some(std::ffi::OsStr::new(leakdex_scan::isolate::WORKER_ARG))
    {
        quiet_decoder_panics();
        return ExitCode::from(leakdex_scan::isolate::worker_main() as u8);
    }
    let args = cli::Cli::parse();
    let serving = matches!(args.command, cli::Command::Serve(_) | cli::Command::Demo(_));
    init_logging(args.global.verbose, args.global.quiet, serving);
    quiet_decoder_panics();
    match cmd::run(args) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("leakdex: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(verbose: u8, quiet: bool, serving: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        // A server's access log is its normal output.
        (false, 0) if serving => "warn,leakdex::access=info,leakdex_server=info",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    // Third-party parsers log what they parse (pdf-extract logs content streams): their
    // records never reach stderr unless LEAKDEX_LOG asks for them by name.
    let default = format!("{default},lopdf=off,pdf_extract=off,calamine=off,cfb=off,quick_xml=off");
    let filter = tracing_subscriber::EnvFilter::try_from_env("LEAKDEX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(serving)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// Third-party parsers panic on some hostile inputs; the scanner catches those panics and
/// lists the blob as unreadable, so they need no backtrace on stderr. Every other panic
/// is a bug and keeps the default report.
fn quiet_decoder_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if leakdex_scan::in_decoder() {
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            tracing::debug!(at = %at, "decoder panic caught; blob reported as unreadable");
        } else {
            default(info);
        }
    }));
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
