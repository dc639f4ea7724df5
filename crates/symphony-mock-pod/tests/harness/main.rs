//! The mock pod as a test harness for SDK users: its clock offset, refused OBO users,
//! generated credentials, scripted presence, feeds and the request journal. One test binary,
//! one module per feature.

mod binary;
mod clock;
mod credentials;
mod faults;
mod feeds;
mod journal;
mod obo_refused;
mod presence;
mod support;
