//! Workspace automation for symphony-presence.
//!
//! `cargo xtask codegen` regenerates the low-level client crates from the documents under
//! `openapi/`; `cargo xtask codegen --check` verifies the checked-in code without writing.
//! `cargo xtask api-diff` reports what changed in the APIs and the crates' public APIs.
//! `cargo xtask bench` runs the standard benchmark set. `cargo xtask build-cost` compares the cold
//! release build of a program on symphony-presence with the same program on bare reqwest.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{api_diff, codegen};

mod bench;
mod build_cost;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Workspace automation for symphony-presence"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate crates/*-api/src/generated.rs from the documents under openapi/, and the
    /// public API listings crates/*/api.txt.
    Codegen {
        /// Write nothing; exit 1 with a unified diff if the checked-in code is stale.
        #[arg(long)]
        check: bool,
        /// Workspace root to read `openapi/` from and write `crates/` into.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Leave out a speed rewrite, to measure what it saves (docs/codegen.md). The output
        /// then differs from the checked-in code. Repeatable.
        #[arg(long, value_enum, value_name = "REWRITE", conflicts_with = "check")]
        without: Vec<codegen::Rewrite>,
    },
    /// Report what changed between REV and the working tree: spec changes per API, classified
    /// as breaking or not, and each publishable crate's public API with a semver verdict.
    ApiDiff {
        /// The revision to compare the working tree with.
        #[arg(long, value_name = "REV", default_value = "HEAD")]
        base: String,
        /// Print JSON (every `kind` is described in docs/codegen.md) instead of Markdown.
        #[arg(long, conflicts_with = "short")]
        json: bool,
        /// Print the few lines that `cargo xtask codegen` prints after a change.
        #[arg(long)]
        short: bool,
        /// Workspace root (inside a git repository).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Run the standard benchmark set of docs/benchmarks.md (release build; a few minutes).
    Bench,
    /// Cold release build of a tiny program on symphony-presence against bare reqwest + serde + tokio.
    BuildCost(build_cost::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Codegen {
            check,
            root,
            without,
        } => {
            let root = root.unwrap_or_else(workspace_root);
            let mode = if check {
                codegen::Mode::Check
            } else {
                codegen::Mode::Write
            };
            match codegen::run(&root, mode, &without) {
                Ok(codegen::Outcome::UpToDate) => ExitCode::SUCCESS,
                Ok(codegen::Outcome::Stale) => ExitCode::from(1),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::ApiDiff {
            base,
            json,
            short,
            root,
        } => match api_diff::run(&root.unwrap_or_else(workspace_root), &base) {
            Ok(report) if json => {
                println!("{:#}", report.json());
                ExitCode::SUCCESS
            }
            Ok(report) if short => {
                print!("{}", report.short());
                ExitCode::SUCCESS
            }
            Ok(report) => {
                print!("{}", report.markdown());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Bench => match bench::run(&workspace_root()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::BuildCost(args) => match build_cost::run(&workspace_root(), &args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

/// The workspace root is the parent of this crate's manifest directory.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
