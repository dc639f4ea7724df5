//! PresenceCategory and Presence as values: wire names, round trips, and the seed's table.

use symphony_presence::{Error, Presence, PresenceCategory as C, Timestamp, UserId};

const WIRE: [(C, &str); 11] = [
    (C::Undefined, "UNDEFINED"),
    (C::Available, "AVAILABLE"),
    (C::Away, "AWAY"),
    (C::Offline, "OFFLINE"),
    (C::Busy, "BUSY"),
    (C::OnThePhone, "ON_THE_PHONE"),
    (C::BeRightBack, "BE_RIGHT_BACK"),
    (C::InAMeeting, "IN_A_MEETING"),
    (C::OutOfOffice, "OUT_OF_OFFICE"),
    (C::OffWork, "OFF_WORK"),
    (C::DoNotDisturb, "DO_NOT_DISTURB"),
];

#[test]
fn known_lists_all_eleven_documented_categories() {
    assert_eq!(
        C::KNOWN.to_vec(),
        WIRE.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>()
    );
}

#[test]
fn every_known_category_round_trips_through_its_wire_name() {
    for (category, wire) in WIRE {
        assert_eq!(category.to_string(), wire);
        assert_eq!(wire.parse::<C>().unwrap(), category);
        assert_eq!(C::from(wire.to_owned()), category);
        let json = serde_json::to_string(&category).unwrap();
        assert_eq!(json, format!("\"{wire}\""));
        assert_eq!(serde_json::from_str::<C>(&json).unwrap(), category);
        assert!(category.is_known());
    }
}

#[test]
fn unknown_category_round_trips_exactly() {
    for wire in [
        "FOCUS_MODE",
        "available",
        " AVAILABLE",
        "AVAILABLE ",
        "",
        "ÉTAT_😀",
        "IN\"QUOTES\\",
    ] {
        let category: C = serde_json::from_value(serde_json::Value::from(wire)).unwrap();
        assert!(
            matches!(&category, C::Unknown(u) if u.as_str() == wire),
            "{wire:?} became {category:?}"
        );
        assert!(!category.is_known());
        assert_eq!(category.as_str(), wire);
        assert_eq!(category.to_string(), wire);
        assert_eq!(
            serde_json::to_value(&category).unwrap(),
            serde_json::Value::from(wire)
        );
        assert_eq!(wire.parse::<C>().unwrap(), category);
    }
}

#[test]
fn no_unknown_category_shadows_a_known_name() {
    for (category, wire) in WIRE {
        // Every way of making a category from a string gives the known variant.
        assert_eq!(C::from(wire), category, "{wire}");
        assert_eq!(C::from(wire.to_owned()), category, "{wire}");
        assert_eq!(wire.parse::<C>().unwrap(), category, "{wire}");
        let decoded: C = serde_json::from_value(serde_json::Value::from(wire)).unwrap();
        assert!(!matches!(decoded, C::Unknown(_)), "{wire}");
        assert_eq!(decoded, category, "{wire}");
    }
    assert_eq!(C::from("BUSY"), C::Busy);
    // Matching is exact: a name that differs in case or spacing is not the known one.
    for near in ["busy", "Busy", " BUSY", "BUSY "] {
        assert!(matches!(C::from(near), C::Unknown(_)), "{near:?}");
        assert_ne!(C::from(near), C::Busy, "{near:?}");
    }
}

#[test]
fn an_unknown_category_round_trips_byte_for_byte_inside_a_presence() {
    for wire in [
        r#"{"category":"FOCUS_MODE","userId":1}"#,
        r#"{"category":"\u00c9TAT_\ud83d\ude00"}"#,
        r#"{"category":"IN\"QUOTES\\"}"#,
        r#"{"category":""}"#,
    ] {
        let p: Presence = serde_json::from_str(wire).unwrap();
        assert!(!p.category.is_known(), "{wire}");
        let value: serde_json::Value = serde_json::from_str(wire).unwrap();
        // The category's bytes are the string received, and encoding gives the same JSON back.
        assert_eq!(
            p.category.as_str().as_bytes(),
            value["category"].as_str().unwrap().as_bytes()
        );
        assert_eq!(serde_json::to_value(&p).unwrap(), value, "{wire}");
    }
}

#[test]
fn external_view_follows_the_seed_table() {
    let table = [
        (C::Available, C::Available),
        (C::Away, C::Away),
        (C::Offline, C::Offline),
        (C::Busy, C::Busy),
        (C::OnThePhone, C::OnThePhone),
        (C::BeRightBack, C::Away),
        (C::InAMeeting, C::InAMeeting),
        (C::OutOfOffice, C::OutOfOffice),
        (C::OffWork, C::Offline),
        (C::DoNotDisturb, C::Away),
    ];
    for (category, external) in table {
        assert_eq!(category.external_view(), Some(external), "{category}");
    }
    assert_eq!(C::Undefined.external_view(), None);
    assert_eq!(C::from("FOCUS_MODE").external_view(), None);
}

#[test]
fn icons_releases_and_deprecations_follow_the_seed_table() {
    let table = [
        (C::Available, "Green check mark", Some("1.46"), None),
        (C::Away, "Yellow clock", Some("1.46"), None),
        (C::Offline, "Grey cross", Some("20.16"), None),
        (C::Busy, "Red sign", Some("1.46"), None),
        (C::OnThePhone, "Red phone", Some("1.46"), None),
        (C::BeRightBack, "Yellow clock", Some("1.47"), None),
        (C::InAMeeting, "Red phone", Some("1.47"), None),
        (C::OutOfOffice, "Purple circle", Some("1.47"), None),
        (C::OffWork, "Yellow clock", None, Some("20.16")),
        (C::DoNotDisturb, "Red circle", None, Some("20.16")),
    ];
    for (category, icon, since, deprecated_in) in table {
        assert_eq!(category.icon(), Some(icon), "{category}");
        assert_eq!(category.since(), since, "{category}");
        assert_eq!(category.deprecated_in(), deprecated_in, "{category}");
        assert_eq!(
            category.is_deprecated(),
            deprecated_in.is_some(),
            "{category}"
        );
    }
    for other in [C::Undefined, C::from("X")] {
        assert_eq!(
            (other.icon(), other.since(), other.is_deprecated()),
            (None, None, false)
        );
    }
}

#[test]
fn undefined_and_unknown_categories_cannot_be_set_and_say_why() {
    let Err(Error::InvalidInput(undefined)) = C::Undefined.ensure_settable() else {
        panic!()
    };
    assert!(undefined.message.contains("UNDEFINED"), "{undefined}");
    let Err(Error::InvalidInput(other)) = C::from("FOCUS_MODE").ensure_settable() else {
        panic!()
    };
    assert!(
        other.message.contains("FOCUS_MODE") && other.message.contains("not a documented category"),
        "{other}"
    );
    for settable in C::KNOWN.iter().filter(|c| **c != C::Undefined) {
        assert!(settable.ensure_settable().is_ok(), "{settable}");
    }
}

#[test]
fn presence_round_trips_exactly_in_the_wire_form() {
    let wire = r#"{"category":"FOCUS_MODE","userId":14568529068038,"timestamp":1533928483800}"#;
    let p: Presence = serde_json::from_str(wire).unwrap();
    assert!(matches!(&p.category, C::Unknown(u) if u.as_str() == "FOCUS_MODE"));
    assert_eq!(p.user_id, Some(UserId(14568529068038)));
    assert_eq!(p.timestamp, Some(Timestamp::from_millis(1533928483800)));
    assert_eq!(serde_json::to_string(&p).unwrap(), wire);
}

#[test]
fn presence_with_only_a_category_decodes() {
    let p: Presence = serde_json::from_str(r#"{"category":"AWAY"}"#).unwrap();
    assert_eq!(p, Presence::new(C::Away));
    assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"category":"AWAY"}"#);
}

#[test]
fn any_int64_timestamp_decodes_and_converts_without_panicking() {
    for millis in [i64::MIN, -1, 0, 1, 1533928483800, i64::MAX] {
        let p: Presence = serde_json::from_value(
            serde_json::json!({"category": "AVAILABLE", "userId": millis, "timestamp": millis}),
        )
        .unwrap();
        let t = p.timestamp.unwrap();
        assert_eq!(t.as_millis(), millis);
        assert_eq!(p.user_id, Some(UserId(millis)));
        // Whether SystemTime can hold it depends on the platform; it must never panic or wrap.
        if let Some(time) = t.to_system_time() {
            let back = match time.duration_since(std::time::UNIX_EPOCH) {
                Ok(after) => i128::try_from(after.as_millis()).unwrap(),
                Err(before) => -i128::try_from(before.duration().as_millis()).unwrap(),
            };
            assert_eq!(back, i128::from(millis));
        }
    }
}

#[test]
fn a_category_that_is_not_a_string_is_a_decode_error() {
    for body in [
        r#"{"category":null}"#,
        r#"{"category":5}"#,
        r#"{"userId":1}"#,
    ] {
        assert!(serde_json::from_str::<Presence>(body).is_err(), "{body}");
    }
}

/// With the `schemars` feature, a `Presence`'s schema describes the wire form: a string
/// category (any value, documented ones named) and optional integer ids and times.
#[test]
fn the_schemars_feature_describes_the_wire_form() {
    let schema = serde_json::to_value(schemars::schema_for!(Presence)).unwrap();
    let properties = &schema["properties"];
    for field in ["userId", "timestamp"] {
        let types = &properties[field]["type"];
        assert_eq!(*types, serde_json::json!(["integer", "null"]), "{schema:#}");
    }
    let category = &schema["definitions"]["PresenceCategory"];
    assert_eq!(category["type"], "string", "{schema:#}");
    assert!(
        category["description"]
            .as_str()
            .is_some_and(|d| d.contains("OUT_OF_OFFICE") && d.contains("kept verbatim")),
        "{schema:#}"
    );
}
