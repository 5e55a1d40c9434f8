//! One file per command.

mod corpus;
mod scan;

use crate::cli::{Cli, Command, CorpusCommand};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan::run(args, &cli.global),
        Command::Corpus(CorpusCommand::Generate(args)) => corpus::generate(args, &cli.global),
    }
}
