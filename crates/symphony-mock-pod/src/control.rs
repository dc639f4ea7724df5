//! The control endpoint under `/_mock`, for tools outside the process:
//!
//! - `POST /_mock/faults` with a [`Faults`](crate::Faults) JSON body replaces the faults;
//! - `POST /_mock/expire-tokens` ends every session now;
//! - `POST /_mock/drop-feeds` forgets every presence feed now;
//! - `GET /_mock/counters` returns the [`Counters`](crate::Counters);
//! - `GET /_mock/journal` returns the journal, a JSON array of
//!   [`JournalEntry`](crate::JournalEntry), oldest first.

use crate::faults::Faults;
use crate::server::{Request, Shared, body, error, json, lock};

pub(crate) fn handle(state: &Shared, request: &Request) -> crate::server::Reply {
    let mut st = lock(state);
    match (request.method.as_str(), request.segments().as_slice()) {
        ("POST", ["_mock", "faults"]) => match body::<Faults>(request) {
            Ok(faults) => {
                st.faults = faults;
                json(200, &st.faults)
            }
            Err(_) => error(400, "the body must be a Faults JSON object"),
        },
        ("POST", ["_mock", "expire-tokens"]) => {
            st.sessions.clear();
            json(200, &serde_json::json!({"expired": true}))
        }
        ("POST", ["_mock", "drop-feeds"]) => {
            st.feeds.clear();
            json(200, &serde_json::json!({"dropped": true}))
        }
        ("GET", ["_mock", "counters"]) => json(200, &st.counters),
        ("GET", ["_mock", "journal"]) => json(200, &st.journal),
        _ => error(404, "no such control endpoint"),
    }
}
