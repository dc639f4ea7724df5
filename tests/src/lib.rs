//! Tests of the symphony-presence crates, used the way an outside user would (see `tests/`).
