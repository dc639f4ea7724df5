//! Every response decoder, fed arbitrary bytes: each returns a value or an error, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use symphony_presence::{Presence, PresenceCategory};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<Presence>(data);
    let _ = serde_json::from_slice::<Vec<Presence>>(data);
    let _ = serde_json::from_slice::<symphony_api::pod::types::V2PresenceList>(data);
    let _ = serde_json::from_slice::<symphony_api::pod::types::StringId>(data);
    let _ = serde_json::from_slice::<symphony_api::pod::types::SuccessResponse>(data);
    let _ = serde_json::from_slice::<symphony_api::ErrorBody>(data);
    let _ = serde_json::from_slice::<symphony_api::login::types::Token>(data);
    if let Ok(p) = serde_json::from_slice::<symphony_api::pod::types::V2Presence>(data) {
        let typed = Presence::from(p.clone());
        assert_eq!(typed.category.as_str(), p.category);
        if let Some(t) = typed.timestamp {
            let _ = t.to_system_time();
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(PresenceCategory::from(text).as_str(), text);
    }
});
