//! [`PresenceCategory`]: the typed form of the free-string `category` field.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// A user's presence category, as Symphony names it on the wire.
///
/// The eleven documented values have variants; any other string is kept verbatim in
/// [`PresenceCategory::Unknown`], so decoding never fails on a category this crate does not
/// know and encoding gives back exactly the string that was received. An unknown category can
/// only come from parsing, which maps every documented name to its own variant, so no unknown
/// value ever shadows a known one.
///
/// ```
/// use symphony_presence::PresenceCategory;
///
/// let busy: PresenceCategory = "BUSY".parse().unwrap();
/// assert_eq!(busy, PresenceCategory::Busy);
/// assert_eq!(PresenceCategory::BeRightBack.external_view(), Some(PresenceCategory::Away));
///
/// let unknown: PresenceCategory = "FOCUS_MODE".parse().unwrap();
/// assert_eq!(unknown.to_string(), "FOCUS_MODE");
/// assert!(unknown.external_view().is_none());
/// assert!(matches!(&unknown, PresenceCategory::Unknown(u) if u.as_str() == "FOCUS_MODE"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PresenceCategory {
    /// `UNDEFINED`: listed by the spec; no presence has been set. Cannot be set.
    Undefined,
    /// `AVAILABLE`
    Available,
    /// `BUSY`
    Busy,
    /// `DO_NOT_DISTURB`, deprecated in 20.16 (shown externally as `AWAY`).
    DoNotDisturb,
    /// `ON_THE_PHONE`
    OnThePhone,
    /// `BE_RIGHT_BACK` (shown externally as `AWAY`).
    BeRightBack,
    /// `IN_A_MEETING`
    InAMeeting,
    /// `AWAY`
    Away,
    /// `OUT_OF_OFFICE`
    OutOfOffice,
    /// `OFF_WORK`, deprecated in 20.16 (shown externally as `OFFLINE`).
    OffWork,
    /// `OFFLINE`, introduced in 20.16.
    Offline,
    /// Any other value the server sent, kept exactly as received. Cannot be set through the
    /// typed API.
    Unknown(UnknownCategory),
}

/// A presence category this crate does not know, kept exactly as received.
///
/// It has no constructor: it comes only from parsing a category
/// (`PresenceCategory::from(..)`, `parse()` or deserialising), which gives every documented
/// name its own variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownCategory(Box<str>);

impl UnknownCategory {
    /// The category as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One row of the seed's category table.
struct Row {
    category: PresenceCategory,
    external_view: PresenceCategory,
    icon: &'static str,
    /// "Released in" / "Introduced in"; the table gives none for the deprecated ones.
    since: Option<&'static str>,
    deprecated_in: Option<&'static str>,
}

use PresenceCategory as C;

/// The documented table (Pod API 20.17.1): interface icon, external view and history.
static TABLE: [Row; 10] = [
    row(
        C::Available,
        C::Available,
        "Green check mark",
        Some("1.46"),
        None,
    ),
    row(C::Away, C::Away, "Yellow clock", Some("1.46"), None),
    row(C::Offline, C::Offline, "Grey cross", Some("20.16"), None),
    row(C::Busy, C::Busy, "Red sign", Some("1.46"), None),
    row(
        C::OnThePhone,
        C::OnThePhone,
        "Red phone",
        Some("1.46"),
        None,
    ),
    row(C::BeRightBack, C::Away, "Yellow clock", Some("1.47"), None),
    row(
        C::InAMeeting,
        C::InAMeeting,
        "Red phone",
        Some("1.47"),
        None,
    ),
    row(
        C::OutOfOffice,
        C::OutOfOffice,
        "Purple circle",
        Some("1.47"),
        None,
    ),
    row(C::OffWork, C::Offline, "Yellow clock", None, Some("20.16")),
    row(C::DoNotDisturb, C::Away, "Red circle", None, Some("20.16")),
];

const fn row(
    category: PresenceCategory,
    external_view: PresenceCategory,
    icon: &'static str,
    since: Option<&'static str>,
    deprecated_in: Option<&'static str>,
) -> Row {
    Row {
        category,
        external_view,
        icon,
        since,
        deprecated_in,
    }
}

impl PresenceCategory {
    /// Every documented category: `UNDEFINED` followed by the ten of the category table.
    pub const KNOWN: [PresenceCategory; 11] = [
        C::Undefined,
        C::Available,
        C::Away,
        C::Offline,
        C::Busy,
        C::OnThePhone,
        C::BeRightBack,
        C::InAMeeting,
        C::OutOfOffice,
        C::OffWork,
        C::DoNotDisturb,
    ];

    /// The wire name, for example `"BE_RIGHT_BACK"`; for [`Unknown`](Self::Unknown), the string
    /// as received.
    pub fn as_str(&self) -> &str {
        match self {
            C::Unknown(s) => s.as_str(),
            known => known_wire(known),
        }
    }

    /// The category external users see, from the documented table: `BE_RIGHT_BACK` and
    /// `DO_NOT_DISTURB` show as `AWAY`, `OFF_WORK` as `OFFLINE`, the rest as themselves.
    /// `None` for `UNDEFINED` and unknown categories, which the table does not cover.
    pub fn external_view(&self) -> Option<PresenceCategory> {
        self.row().map(|r| r.external_view.clone())
    }

    /// Whether Symphony deprecated this category (`DO_NOT_DISTURB` and `OFF_WORK`, in 20.16).
    pub fn is_deprecated(&self) -> bool {
        self.deprecated_in().is_some()
    }

    /// The release that deprecated this category: `"20.16"` for `DO_NOT_DISTURB` and `OFF_WORK`.
    pub fn deprecated_in(&self) -> Option<&'static str> {
        self.row().and_then(|r| r.deprecated_in)
    }

    /// The release that introduced this category, such as `"1.46"`, `"1.47"` or `"20.16"`.
    /// `None` where the documented table gives none: the deprecated categories (see
    /// [`deprecated_in`](Self::deprecated_in)), `UNDEFINED` and unknown ones.
    pub fn since(&self) -> Option<&'static str> {
        self.row().and_then(|r| r.since)
    }

    /// The interface icon, for example `"Green check mark"` for `AVAILABLE`.
    pub fn icon(&self) -> Option<&'static str> {
        self.row().map(|r| r.icon)
    }

    /// Whether this category is one of the documented ones (not [`Unknown`](Self::Unknown)).
    pub fn is_known(&self) -> bool {
        !matches!(self, C::Unknown(_))
    }

    /// Checks that this category can be set through the typed API.
    ///
    /// `UNDEFINED` is a state, not a choice, and an unknown category may be rejected or
    /// misread by the pod, so both are refused. The deprecated `DO_NOT_DISTURB` and `OFF_WORK`
    /// are accepted, since pods still take them, and a warning is logged.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the category and the reason.
    pub fn ensure_settable(&self) -> Result<(), Error> {
        match self {
            C::Undefined => Err(Error::setup(
                "presence UNDEFINED cannot be set: it means no presence has been set",
            )),
            C::Unknown(s) => Err(Error::setup(format!(
                "presence {:?} cannot be set: it is not a documented category",
                s.as_str()
            ))),
            c if c.is_deprecated() => {
                tracing::warn!(
                    category = c.as_str(),
                    "setting a category deprecated in 20.16"
                );
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn row(&self) -> Option<&'static Row> {
        TABLE.iter().find(|r| r.category == *self)
    }
}

/// Wire names of the known variants, so `as_str` never allocates.
fn known_wire(c: &PresenceCategory) -> &'static str {
    match c {
        C::Undefined => "UNDEFINED",
        C::Available => "AVAILABLE",
        C::Busy => "BUSY",
        C::DoNotDisturb => "DO_NOT_DISTURB",
        C::OnThePhone => "ON_THE_PHONE",
        C::BeRightBack => "BE_RIGHT_BACK",
        C::InAMeeting => "IN_A_MEETING",
        C::Away => "AWAY",
        C::OutOfOffice => "OUT_OF_OFFICE",
        C::OffWork => "OFF_WORK",
        C::Offline => "OFFLINE",
        C::Unknown(_) => "",
    }
}

impl From<&str> for PresenceCategory {
    /// Exact, case-sensitive: known wire names map to their variant, anything else to
    /// `Unknown`.
    fn from(s: &str) -> Self {
        PresenceCategory::KNOWN
            .iter()
            .find(|c| known_wire(c) == s)
            .cloned()
            .unwrap_or_else(|| C::Unknown(UnknownCategory(s.into())))
    }
}

impl From<String> for PresenceCategory {
    fn from(s: String) -> Self {
        match PresenceCategory::from(s.as_str()) {
            C::Unknown(_) => C::Unknown(UnknownCategory(s.into_boxed_str())),
            known => known,
        }
    }
}

impl FromStr for PresenceCategory {
    type Err = std::convert::Infallible;

    /// Never fails: see [`From<&str>`](#impl-From%3C%26str%3E-for-PresenceCategory).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(s.into())
    }
}

impl fmt::Display for PresenceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PresenceCategory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PresenceCategory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(PresenceCategory::from)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for PresenceCategory {
    fn schema_name() -> String {
        "PresenceCategory".into()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = String::json_schema(generator).into_object();
        schema.metadata().description = Some(
            "Presence category. Documented values: UNDEFINED, AVAILABLE, BUSY, DO_NOT_DISTURB, \
             ON_THE_PHONE, BE_RIGHT_BACK, IN_A_MEETING, AWAY, OUT_OF_OFFICE, OFF_WORK, OFFLINE; \
             other values occur and are kept verbatim."
                .into(),
        );
        schema.into()
    }
}
