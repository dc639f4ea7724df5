//! Every example in `examples/` runs, offline, against the mock pod: the code users copy first
//! keeps working. Each example is compiled here as it is, `common` module and all.
#![allow(
    clippy::duplicate_mod,
    reason = "each example brings its own copy of examples/common, as `cargo run` builds it"
)]

#[allow(dead_code, reason = "each example's main is for `cargo run --example`")]
#[path = "../examples/errors.rs"]
mod errors;
#[allow(dead_code, reason = "each example's main is for `cargo run --example`")]
#[path = "../examples/from_config.rs"]
mod from_config;
#[allow(dead_code, reason = "each example's main is for `cargo run --example`")]
#[path = "../examples/list_all.rs"]
mod list_all;
#[allow(dead_code, reason = "each example's main is for `cargo run --example`")]
#[path = "../examples/obo_fanout.rs"]
mod obo_fanout;

/// No environment: the examples start the mock pod.
fn offline(_: &str) -> Option<String> {
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obo_fanout_runs() {
    obo_fanout::run(offline).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_all_runs() {
    list_all::run(offline).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_runs() {
    errors::run(offline).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_config_runs() {
    from_config::run(offline).await.unwrap();
}
