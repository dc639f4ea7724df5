//! `symphony-presence`: the command-line tool.

use std::process::ExitCode;

use clap::Parser;

mod args;
mod commands;
mod demo;
mod exit;
mod output;
mod session;
mod watch;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::UNAVAILABLE);
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Demo { tls: false } => demo::run(demo::Transport::Http).await,
            Command::Demo { tls: true } => demo::run(demo::Transport::Tls).await,
            command => {
                let client = session::client(&cli)?;
                commands::run(&client, command, &mut output::Printer::new(cli.output)).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => exit::report(&e),
    }
}
