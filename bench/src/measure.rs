//! Measuring: CPU time (getrusage), resident memory (/proc), latency percentiles, CPU pinning.

use std::time::Duration;

use nix::sys::resource::{UsageWho, getrusage};

/// User plus system CPU time of the whole process, or of the calling thread.
pub fn cpu_time(who: UsageWho) -> Duration {
    getrusage(who).map_or(Duration::ZERO, |u| {
        let t = |tv: nix::sys::time::TimeVal| {
            Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000)
        };
        t(u.user_time()) + t(u.system_time())
    })
}

/// The process's peak resident set size so far, in KiB (`VmHWM`). Not `ru_maxrss`: Linux keeps
/// that across `execve`, so under `cargo run` it reports cargo's own peak.
pub fn peak_rss_kib() -> u64 {
    status_kib("VmHWM:")
}

/// The process's current resident set size, in KiB (`VmRSS`).
pub fn current_rss_kib() -> u64 {
    status_kib("VmRSS:")
}

/// A `kB` field of /proc/self/status; 0 where there is none.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(field))?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// The bytes allocated and not yet freed by the whole process, as sizes requested from the
/// allocator; only when built with the `count-allocations` feature.
pub fn allocated_bytes() -> Option<usize> {
    #[cfg(feature = "count-allocations")]
    return Some(crate::ALLOCATOR.allocated());
    #[cfg(not(feature = "count-allocations"))]
    None
}

/// Pins the calling thread (and the threads it starts later) to one CPU; false if it cannot.
pub fn pin_to(cpu: usize) -> bool {
    let mut set = nix::sched::CpuSet::new();
    set.set(cpu).is_ok()
        && nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set).is_ok()
}

pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The value at quantile `q` (0 to 1) of `sorted`.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// The median of `values`.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
