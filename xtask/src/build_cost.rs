//! `cargo xtask build-cost`: what depending on `symphony-presence` costs a user's cold release
//! build, against the same program written on bare `reqwest` + `serde` + `tokio`.
//!
//! Two tiny programs are written into a scratch directory, each pinned to the workspace's
//! `Cargo.lock`. Their dependencies are fetched first (never timed). Each is then built cold in
//! release (`cargo build --release --frozen`) into a fresh target directory, without any
//! `RUSTC_WRAPPER` (no sccache), interleaved SDK, bare, SDK, bare, ... The report gives, per
//! program, the median wall time, the median CPU time (user + system of the cargo process and all
//! it waited for, from `getrusage(RUSAGE_CHILDREN)`), the number of crates compiled (distinct
//! packages among cargo's `compiler-artifact` messages, the program included), and the ratios
//! SDK / bare of the medians. See docs/build-cost.md.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Options of `cargo xtask build-cost`.
#[derive(clap::Args)]
pub struct Args {
    /// Cold builds of each program, interleaved SDK, bare, SDK, bare, ...; medians are reported.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Features of `symphony-presence` the SDK program asks for (comma-separated).
    #[arg(long, value_name = "LIST")]
    sdk_features: Option<String>,
    /// The SDK program depends on `symphony-presence` with `default-features = false`.
    #[arg(long)]
    sdk_no_default_features: bool,
    /// Workspace whose `symphony-presence` and `Cargo.lock` are measured (default: this one), e.g.
    /// a `git archive` of another commit.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Pass `--timings` to every measured build and copy the last HTML reports to DIR.
    #[arg(long, value_name = "DIR")]
    timings: Option<PathBuf>,
}

/// The programs' common `tokio`: what `#[tokio::main]` needs, and no more.
const TOKIO: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#;

/// Program (a): one presence call through the SDK with a static session token.
const SDK_MAIN: &str = r#"use symphony_presence::PresenceClient;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = PresenceClient::builder("https://acme.symphony.com/pod")
        .session_token("static-session-token")
        .build()?;
    let me = client.get_presence().await?;
    println!("{} {:?} {:?}", me.category, me.user_id, me.timestamp);
    Ok(())
}
"#;

/// Program (b): the same call on bare reqwest + serde + tokio.
const BARE_MAIN: &str = r#"use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Presence {
    category: String,
    user_id: Option<i64>,
    timestamp: Option<i64>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::builder().build()?;
    let me: Presence = client
        .get("https://acme.symphony.com/pod/v2/user/presence")
        .header("sessionToken", "static-session-token")
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!("{} {:?} {:?}", me.category, me.user_id, me.timestamp);
    Ok(())
}
"#;

/// One of the two programs.
struct Program {
    name: &'static str,
    dir: PathBuf,
}

/// One cold build's figures.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    crates: usize,
}

/// Writes the programs, fetches, builds each `args.repeat` times and prints the report.
pub fn run(root: &Path, args: &Args) -> Result<(), String> {
    let root = args.root.as_deref().unwrap_or(root);
    // The SDK program names the crate by an absolute path.
    let root = std::fs::canonicalize(root)
        .map_err(|e| format!("cannot resolve {}: {e}", root.display()))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let scratch = Scratch::create()?;
    println!(
        "build-cost: measuring {}; scratch projects in {}",
        root.display(),
        scratch.0.display()
    );

    let workspace_manifest = read(&root.join("Cargo.toml"))?;
    let workspace_lock = read(&root.join("Cargo.lock"))?;
    let sdk_path = root.join("crates/symphony-presence");

    let mut sdk_dep = format!(
        "symphony-presence = {{ path = {:?}",
        sdk_path.display().to_string()
    );
    if args.sdk_no_default_features {
        sdk_dep.push_str(", default-features = false");
    }
    if let Some(list) = &args.sdk_features {
        let quoted: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| format!("{f:?}"))
            .collect();
        let _ = write!(sdk_dep, ", features = [{}]", quoted.join(", "));
    }
    sdk_dep.push_str(" }");
    let sdk = Program {
        name: "sdk",
        dir: scratch.0.join("sdk"),
    };
    write_program(&sdk, &[&sdk_dep, TOKIO], SDK_MAIN, &workspace_lock)?;

    // The bare program takes reqwest and serde exactly as the workspace declares them.
    let reqwest = workspace_dependency(&workspace_manifest, "reqwest")?;
    let serde = workspace_dependency(&workspace_manifest, "serde")?;
    let bare = Program {
        name: "bare",
        dir: scratch.0.join("bare"),
    };
    write_program(&bare, &[reqwest, serde, TOKIO], BARE_MAIN, &workspace_lock)?;

    println!("fetching dependencies (not timed)");
    for program in [&sdk, &bare] {
        fetch(&cargo, program)?;
        check_lock_matches(program, &workspace_lock)?;
    }

    let repeat = args.repeat as usize;
    let mut samples: [Vec<Sample>; 2] = [Vec::new(), Vec::new()];
    for round in 1..=repeat {
        for (i, program) in [&sdk, &bare].into_iter().enumerate() {
            let target = scratch.0.join(format!("target-{}-{round}", program.name));
            let timings = args.timings.is_some();
            let sample = build_cold(&cargo, program, &target, timings)?;
            println!(
                "run {round}/{repeat}  {:<4}  wall {:>7.1} s  cpu {:>7.1} s  {} crates",
                program.name,
                sample.wall.as_secs_f64(),
                sample.cpu.as_secs_f64(),
                sample.crates
            );
            if let (Some(dir), true) = (&args.timings, round == repeat) {
                copy_timings(&target, dir, program.name)?;
            }
            // Release artefacts are large; keep at most one target directory at a time.
            let _ = std::fs::remove_dir_all(&target);
            samples[i].push(sample);
        }
    }

    let [sdk_s, bare_s] = samples;
    let (sdk_wall, bare_wall) = (median(&sdk_s, |s| s.wall), median(&bare_s, |s| s.wall));
    let (sdk_cpu, bare_cpu) = (median(&sdk_s, |s| s.cpu), median(&bare_s, |s| s.cpu));
    let (sdk_crates, bare_crates) = (sdk_s[0].crates, bare_s[0].crates);
    let wall_ratio = sdk_wall.as_secs_f64() / bare_wall.as_secs_f64();
    let cpu_ratio = sdk_cpu.as_secs_f64() / bare_cpu.as_secs_f64();
    println!("\nmedians of {repeat} cold release builds each:");
    println!(
        "  sdk   wall {:>7.1} s  cpu {:>7.1} s  {sdk_crates} crates",
        sdk_wall.as_secs_f64(),
        sdk_cpu.as_secs_f64()
    );
    println!(
        "  bare  wall {:>7.1} s  cpu {:>7.1} s  {bare_crates} crates",
        bare_wall.as_secs_f64(),
        bare_cpu.as_secs_f64()
    );
    println!("  ratio sdk/bare: wall {wall_ratio:.2}, cpu {cpu_ratio:.2}");
    // Other builds on the machine swing single runs widely; these show how far.
    let per_round: Vec<String> = sdk_s
        .iter()
        .zip(&bare_s)
        .map(|(a, b)| format!("{:.2}", a.wall.as_secs_f64() / b.wall.as_secs_f64()))
        .collect();
    let fastest = |s: &[Sample]| s.iter().map(|s| s.wall).min().unwrap_or_default();
    let (sdk_min, bare_min) = (fastest(&sdk_s), fastest(&bare_s));
    println!("  wall ratio per round: {}", per_round.join(" "));
    println!(
        "  fastest: sdk {:.1} s, bare {:.1} s, ratio {:.2}",
        sdk_min.as_secs_f64(),
        bare_min.as_secs_f64(),
        sdk_min.as_secs_f64() / bare_min.as_secs_f64()
    );
    println!(
        "sdk_build_s={:.1} bare_build_s={:.1} ratio={wall_ratio:.2} sdk_crates={sdk_crates} \
         bare_crates={bare_crates} sdk_cpu_s={:.1} bare_cpu_s={:.1} cpu_ratio={cpu_ratio:.2}",
        sdk_wall.as_secs_f64(),
        bare_wall.as_secs_f64(),
        sdk_cpu.as_secs_f64(),
        bare_cpu.as_secs_f64()
    );
    Ok(())
}

/// A scratch directory under the system's temporary directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn create() -> Result<Self, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("xtask-build-cost-{}-{nanos:x}", std::process::id()));
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The one-line entry `name = ...` of the workspace manifest's `[workspace.dependencies]`.
fn workspace_dependency<'a>(manifest: &'a str, name: &str) -> Result<&'a str, String> {
    let section = manifest
        .split_once("[workspace.dependencies]")
        .map(|(_, rest)| rest)
        .ok_or("the workspace Cargo.toml has no [workspace.dependencies]")?;
    section
        .lines()
        .take_while(|line| !line.starts_with('['))
        .find(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(str::trim)
        .filter(|line| !line.ends_with('{'))
        .ok_or_else(|| {
            format!("no one-line `{name} = ...` entry in the workspace's [workspace.dependencies]")
        })
}

/// Writes a binary package with `dependencies` and `main_rs`, its own empty `[workspace]` (so no
/// enclosing workspace claims it), default release profile, and the workspace's lock file.
fn write_program(
    program: &Program,
    dependencies: &[&str],
    main_rs: &str,
    lock: &str,
) -> Result<(), String> {
    let src = program.dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| format!("cannot create {}: {e}", src.display()))?;
    let manifest = format!(
        "[package]\nname = \"build-cost-{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\n\n[dependencies]\n{}\n\n[workspace]\n",
        program.name,
        dependencies.join("\n")
    );
    write(&program.dir.join("Cargo.toml"), &manifest)?;
    write(&src.join("main.rs"), main_rs)?;
    // Cargo keeps every version the lock file names and only drops the unused entries.
    write(&program.dir.join("Cargo.lock"), lock)
}

/// A cargo command in the program's directory, with no compiler wrapper and nothing of the
/// caller's target directory.
fn cargo_command(cargo: &str, program: &Program) -> Command {
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&program.dir)
        // An empty value overrides any `build.rustc-wrapper` of the user's configuration.
        .env("RUSTC_WRAPPER", "")
        .env("RUSTC_WORKSPACE_WRAPPER", "")
        .env_remove("CARGO_BUILD_RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_INCREMENTAL")
        .env_remove("CARGO_PROFILE_RELEASE_INCREMENTAL");
    cmd
}

/// Trims the copied lock file to the program and downloads every crate it names: offline when
/// the registry cache already holds them, online otherwise.
fn fetch(cargo: &str, program: &Program) -> Result<(), String> {
    let offline = cargo_command(cargo, program)
        .args(["fetch", "--offline", "--quiet"])
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot start `{cargo}`: {e}"))?;
    if offline.success() {
        return Ok(());
    }
    let online = cargo_command(cargo, program)
        .arg("fetch")
        .status()
        .map_err(|e| format!("cannot start `{cargo}`: {e}"))?;
    if online.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo fetch` failed for the {} program",
            program.name
        ))
    }
}

/// The (name, version) pairs of a lock file's registry and git packages.
fn locked_packages(lock: &str) -> BTreeSet<(String, String)> {
    let mut packages = BTreeSet::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|line| {
                let value = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
                Some(value.trim().trim_matches('"').to_owned())
            })
        };
        if let (Some(name), Some(version), Some(_source)) =
            (field("name"), field("version"), field("source"))
        {
            packages.insert((name, version));
        }
    }
    packages
}

/// Fails if the program's lock file names a crate version the workspace's does not.
fn check_lock_matches(program: &Program, workspace_lock: &str) -> Result<(), String> {
    let ours = locked_packages(&read(&program.dir.join("Cargo.lock"))?);
    let theirs = locked_packages(workspace_lock);
    let extra: Vec<String> = ours
        .difference(&theirs)
        .map(|(name, version)| format!("{name} {version}"))
        .collect();
    if extra.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the {} program resolved versions the workspace's Cargo.lock does not have: {}",
            program.name,
            extra.join(", ")
        ))
    }
}

/// One cold release build into the fresh directory `target`.
fn build_cold(
    cargo: &str,
    program: &Program,
    target: &Path,
    timings: bool,
) -> Result<Sample, String> {
    let _ = std::fs::remove_dir_all(target);
    let mut cmd = cargo_command(cargo, program);
    cmd.args(["build", "--release", "--frozen", "--message-format", "json"])
        .arg("--target-dir")
        .arg(target);
    if timings {
        cmd.arg("--timings");
    }
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = cmd
        .output()
        .map_err(|e| format!("cannot start `{cargo}`: {e}"))?;
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    if !output.status.success() {
        return Err(format!(
            "the {} program's build failed ({}):\n{}",
            program.name,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(Sample {
        wall,
        cpu,
        crates: crates_compiled(&String::from_utf8_lossy(&output.stdout)),
    })
}

/// Distinct packages among cargo's `compiler-artifact` messages (build scripts, proc macros,
/// libraries and the binary of one package count once).
fn crates_compiled(messages: &str) -> usize {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter_map(|m| m["package_id"].as_str().map(str::to_owned))
        .collect::<BTreeSet<_>>()
        .len()
}

/// Copies cargo's `cargo-timing.html` of a build to `dir/<name>-timing.html`.
fn copy_timings(target: &Path, dir: &Path, name: &str) -> Result<(), String> {
    let report = target.join("cargo-timings/cargo-timing.html");
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let to = dir.join(format!("{name}-timing.html"));
    std::fs::copy(&report, &to)
        .map(|_| println!("  timings: {}", to.display()))
        .map_err(|e| format!("cannot copy {}: {e}", report.display()))
}

/// User plus system CPU time of every child process waited for so far (cargo, and through it
/// rustc, build scripts and linkers).
#[cfg(unix)]
fn children_cpu() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_CHILDREN).map_or(Duration::ZERO, |u| {
        let t = |tv: nix::sys::time::TimeVal| {
            Duration::new(
                u64::try_from(tv.tv_sec()).unwrap_or(0),
                u32::try_from(tv.tv_usec()).unwrap_or(0) * 1000,
            )
        };
        t(u.user_time()) + t(u.system_time())
    })
}

/// Not measured off Unix: reported as zero.
#[cfg(not(unix))]
fn children_cpu() -> Duration {
    Duration::ZERO
}

/// The median of one figure over the samples (the mean of the middle two for an even count).
fn median(samples: &[Sample], figure: impl Fn(&Sample) -> Duration) -> Duration {
    let mut values: Vec<Duration> = samples.iter().map(figure).collect();
    values.sort();
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_dependency_finds_the_one_line_entry_only_in_its_section() {
        let manifest = "[package]\nreqwest = \"wrong\"\n[workspace.dependencies]\n\
                        reqwest-middleware = \"0.4\"\nreqwest = { version = \"0.13\" }\n[x]\n";
        assert_eq!(
            workspace_dependency(manifest, "reqwest").unwrap(),
            "reqwest = { version = \"0.13\" }"
        );
        assert!(workspace_dependency(manifest, "serde").is_err());
    }

    #[test]
    fn locked_packages_skip_path_packages() {
        let lock = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\
                    source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n\
                    [[package]]\nname = \"local\"\nversion = \"0.1.0\"\n";
        let packages = locked_packages(lock);
        assert_eq!(packages.len(), 1);
        assert!(packages.contains(&("a".into(), "1.0.0".into())));
    }

    #[test]
    fn crates_compiled_counts_packages_not_units() {
        let messages = r#"{"reason":"compiler-artifact","package_id":"a 1"}
{"reason":"compiler-artifact","package_id":"a 1"}
{"reason":"build-script-executed","package_id":"b 1"}
{"reason":"compiler-artifact","package_id":"c 1"}
not json"#;
        assert_eq!(crates_compiled(messages), 2);
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let s = |secs| Sample {
            wall: Duration::from_secs(secs),
            cpu: Duration::ZERO,
            crates: 0,
        };
        assert_eq!(
            median(&[s(4), s(1), s(3), s(2)], |x| x.wall),
            Duration::from_millis(2500)
        );
        assert_eq!(
            median(&[s(5), s(1), s(3)], |x| x.wall),
            Duration::from_secs(3)
        );
    }
}
