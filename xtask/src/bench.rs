//! `cargo xtask bench`: the standard benchmark set recorded in docs/benchmarks.md.

use std::path::Path;
use std::process::Command;

/// Each run's arguments to the `bench` binary of `symphony-presence-bench`.
const STANDARD_SET: &[&[&str]] = &[
    &["--repeat", "15"],
    &["--subject", "generated", "--repeat", "15"],
    &["--protocol", "h1", "--repeat", "5"],
    &["--protocol", "h2", "--repeat", "5"],
    &[
        "--obo-users",
        "1000",
        "--calls",
        "20000",
        "--concurrency",
        "64",
    ],
    &["--list-users", "20000", "--page-size", "1000"],
    &["--list-users", "200000", "--page-size", "1000"],
    &["--mirror"],
];

/// Runs the set one after the other (they must not share the two CPUs), stopping at the first
/// failure. Returns the failing run's description.
pub fn run(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for args in STANDARD_SET {
        println!(
            "\n$ cargo run --release -p symphony-presence-bench -- {}",
            args.join(" ")
        );
        let status = Command::new(&cargo)
            .current_dir(root)
            .args([
                "run",
                "--release",
                "--locked",
                "--quiet",
                "-p",
                "symphony-presence-bench",
                "--",
            ])
            .args(*args)
            .status()
            .map_err(|e| format!("cannot start `{cargo}`: {e}"))?;
        if !status.success() {
            return Err(format!("bench {} failed: {status}", args.join(" ")));
        }
    }
    Ok(())
}
