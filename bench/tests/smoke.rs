//! Runs each bench mode with tiny numbers so that CI keeps them working. Nothing is timed.

use std::process::Command;

fn bench(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The summary line's keys, checking that every value is a positive number.
fn summary_keys(out: &str) -> Vec<String> {
    let last = out.lines().last().unwrap();
    last.split(' ')
        .map(|kv| {
            let (key, value) = kv.split_once('=').unwrap();
            let value: f64 = value.parse().unwrap();
            assert!(value > 0.0, "{kv}");
            key.to_owned()
        })
        .collect()
}

#[test]
fn comparison_mode_ends_with_the_summary_line() {
    let out = bench(&[
        "--calls", "50", "--warmup", "10", "--repeat", "1", "--no-pin",
    ]);
    assert_eq!(
        summary_keys(&out),
        [
            "sdk_seq_cps",
            "raw_seq_cps",
            "seq_ratio",
            "sdk_conc_cps",
            "raw_conc_cps",
            "conc_ratio"
        ],
        "{out}"
    );
}

#[test]
fn the_generated_client_can_be_the_subject() {
    let out = bench(&[
        "--subject",
        "generated",
        "--calls",
        "50",
        "--warmup",
        "10",
        "--repeat",
        "1",
        "--no-pin",
    ]);
    assert!(out.contains("\ngen "), "{out}");
    assert_eq!(
        summary_keys(&out),
        [
            "gen_seq_cps",
            "raw_seq_cps",
            "seq_ratio",
            "gen_conc_cps",
            "raw_conc_cps",
            "conc_ratio"
        ],
        "{out}"
    );
}

#[test]
fn fan_out_mode_counts_one_app_and_one_obo_authentication_per_user() {
    let out = bench(&[
        "--obo-users",
        "20",
        "--calls",
        "50",
        "--concurrency",
        "8",
        "--no-pin",
    ]);
    assert!(
        out.contains("app_authentications=1 obo_authentications=20 users=20"),
        "{out}"
    );
}

#[test]
fn paging_mode_streams_every_user() {
    let out = bench(&["--list-users", "250", "--page-size", "100", "--no-pin"]);
    assert!(out.contains("250 users streamed"), "{out}");
    assert!(out.contains("rss_growth_kib="), "{out}");
}

#[test]
fn profiling_aid_calls_through_each_client() {
    for only in ["sdk", "generated", "raw"] {
        let out = bench(&["--only", only, "--calls", "20", "--no-pin"]);
        assert_eq!(
            out.lines().last(),
            Some(format!("20 calls through {only}").as_str())
        );
    }
    let out = bench(&[
        "--only",
        "sdk",
        "--calls",
        "20",
        "--concurrency",
        "4",
        "--no-pin",
    ]);
    assert_eq!(out.lines().last(), Some("20 calls through sdk"));
}

/// The `conns` column of a client's row at a concurrency level.
fn connections(out: &str, client: &str, level: &str) -> u64 {
    let row = out
        .lines()
        .find(|l| l.split_whitespace().take(2).eq([client, level]))
        .unwrap_or_else(|| panic!("no {client} row at {level} in\n{out}"));
    row.split_whitespace().last().unwrap().parse().unwrap()
}

#[test]
fn comparison_runs_over_tls_with_each_protocol_and_counts_connections() {
    for protocol in ["h1", "h2"] {
        let out = bench(&[
            "--protocol",
            protocol,
            "--calls",
            "64",
            "--warmup",
            "8",
            "--repeat",
            "1",
            "--concurrency",
            "16",
            "--no-pin",
        ]);
        assert!(
            out.contains(&format!("({})", protocol.to_uppercase())),
            "{out}"
        );
        let sdk = connections(&out, "sdk", "16");
        // HTTP/1.1 needs a connection per concurrent call; over HTTP/2 the SDK's login opens
        // the one connection its calls then share.
        match protocol {
            "h1" => assert!(sdk >= 16, "{out}"),
            _ => assert_eq!(sdk, 1, "{out}"),
        }
        assert!(connections(&out, "raw", "16") >= 1, "{out}");
    }
}

#[test]
fn mirror_mode_mirrors_every_user_and_applies_each_round_of_changes() {
    let out = bench(&[
        "--mirror",
        "--mirror-users",
        "2000",
        "--mirror-rounds",
        "1",
        "--no-pin",
    ]);
    assert!(out.contains("# mirror: 2000 users"), "{out}");
    assert!(
        out.contains("changes: 1500 applied"),
        "every user once, less the first read's 500: {out}"
    );
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("mirror_users=2000 "), "{out}");
    if cfg!(feature = "count-allocations") {
        assert!(last.contains(" bytes_per_user="), "{out}");
    } else {
        assert!(out.contains("memory: not counted"), "{out}");
    }
}
