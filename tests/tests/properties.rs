//! Properties that hold for every input: decoding never panics, categories and presences
//! round-trip exactly, and tokens are sent verbatim or refused.

use proptest::prelude::*;
use serde_json::Value;
use symphony_presence::{
    Error, Presence, PresenceCategory, PresenceClient, SessionToken, Timestamp, UserId,
};
use symphony_presence_tests::{RawReply, RawServer, header_in, http_response};

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".*".prop_map(Value::from),
        prop_oneof![
            Just("category"),
            Just("userId"),
            Just("timestamp"),
            Just("token"),
            Just("code"),
            Just("message")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("category".to_owned()),
                    Just("userId".to_owned()),
                    Just("timestamp".to_owned()),
                    ".{0,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn presence() -> impl Strategy<Value = Presence> {
    (".*", any::<Option<i64>>(), any::<Option<i64>>()).prop_map(|(category, uid, ts)| {
        Presence::new(PresenceCategory::from(category))
            .with_user_id(uid.map(UserId))
            .with_timestamp(ts.map(Timestamp::from_millis))
    })
}

proptest! {
    #[test]
    fn decoding_any_json_never_panics(value in json_value()) {
        let text = value.to_string();
        // Each decode returns a value or an error; a panic fails the test.
        let _ = serde_json::from_str::<Presence>(&text);
        let _ = serde_json::from_str::<Vec<Presence>>(&text);
        let _ = serde_json::from_str::<symphony_api::pod::types::V2Presence>(&text);
        let _ = serde_json::from_str::<symphony_api::pod::types::V2PresenceList>(&text);
        let _ = serde_json::from_str::<symphony_api::ErrorBody>(&text);
        let _ = serde_json::from_str::<symphony_api::login::types::Token>(&text);
        if let Ok(p) = serde_json::from_str::<symphony_api::pod::types::V2Presence>(&text) {
            let typed = Presence::from(p.clone());
            prop_assert_eq!(typed.category.as_str(), p.category.as_str());
            prop_assert_eq!(typed.user_id.map(|u| u.0), p.user_id);
        }
    }

    #[test]
    fn decoding_any_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = serde_json::from_slice::<Presence>(&bytes);
        let _ = serde_json::from_slice::<symphony_api::pod::types::V2PresenceList>(&bytes);
        let _ = serde_json::from_slice::<symphony_api::login::types::Token>(&bytes);
    }

    #[test]
    fn every_category_string_round_trips_exactly(wire in ".*") {
        let category = PresenceCategory::from(wire.as_str());
        prop_assert_eq!(category.as_str(), wire.as_str());
        prop_assert_eq!(category.to_string(), wire.clone());
        let json = serde_json::to_string(&category).unwrap();
        prop_assert_eq!(serde_json::from_str::<PresenceCategory>(&json).unwrap(), category.clone());
        prop_assert_eq!(wire.parse::<PresenceCategory>().unwrap(), category);
    }

    #[test]
    fn a_presence_round_trips_exactly(p in presence()) {
        let json = serde_json::to_string(&p).unwrap();
        let back: Presence = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &p);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    #[test]
    fn a_token_is_accepted_verbatim_or_refused_as_invalid_input(token in ".{0,40}") {
        match SessionToken::new(token.clone()) {
            Ok(t) => prop_assert_eq!(t.expose(), token.as_str()),
            Err(Error::InvalidInput(e)) => prop_assert!(token.is_empty() || !e.message.contains(&token)),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// What reaches the server is byte for byte the token given.
    #[test]
    fn an_accepted_token_reaches_the_server_unaltered(token in "[ -~\u{80}-\u{10FFFF}]{1,40}") {
        // A token that is refused is covered by the property above.
        if SessionToken::new(token.clone()).is_err() { return Ok(()) }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let sent = runtime.block_on(async {
            let body = http_response(200, "application/json", br#"{"category":"AVAILABLE"}"#);
            let server = RawServer::start(move |_| RawReply::Bytes(body.clone())).await;
            let client = PresenceClient::builder(&server.pod_url).session_token(token.clone()).build().unwrap();
            client.get_presence().await.unwrap();
            header_in(&server.request_heads()[0], "sessiontoken").unwrap()
        });
        prop_assert_eq!(sent, token.into_bytes());
    }
}
