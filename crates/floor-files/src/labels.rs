//! The messages people read for the closed vocabularies: one table of
//! Fluent message ids (`locales/{lang}/report.ftl`), used by every human
//! form of the report (HTML, Markdown, and `floor report`, which prints
//! the Markdown). The JSON and CSV forms keep the wire names.
//!
//! Each table is a `match`, so a value added to a vocabulary does not
//! compile until it has its label; [`of_code`] reads a wire name back
//! through serde, so no list of wire names is kept by hand.

use floor_protocol::{Channel, Kind, Region, StakeholderGroup};
use serde::de::DeserializeOwned;

/// The message the report shows for a figure with no value given.
pub const NOT_GIVEN: &str = "not-given";

/// A stakeholder group's message id.
pub fn stakeholder_group(group: StakeholderGroup) -> &'static str {
    match group {
        StakeholderGroup::Government => "group-government",
        StakeholderGroup::CivilSociety => "group-civil-society",
        StakeholderGroup::PrivateSector => "group-private-sector",
        StakeholderGroup::TechnicalCommunity => "group-technical-community",
        StakeholderGroup::Intergovernmental => "group-intergovernmental",
        StakeholderGroup::Academia => "group-academia",
        StakeholderGroup::Other => "group-other",
    }
}

/// A UN regional group's message id.
pub fn region(region: Region) -> &'static str {
    match region {
        Region::African => "region-african",
        Region::AsiaPacific => "region-asia-pacific",
        Region::EasternEuropean => "region-eastern-european",
        Region::Grulac => "region-grulac",
        Region::Weog => "region-weog",
        Region::Other => "region-other",
    }
}

/// A kind of request's message id.
pub fn kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Question => "kind-question",
        Kind::Comment => "kind-comment",
    }
}

/// A channel's message id.
pub fn channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Onsite => "channel-onsite",
        Channel::Online => "channel-online",
    }
}

/// The message id of an optional value, [`NOT_GIVEN`] when absent.
pub fn or_not_given<T>(value: Option<T>, label: fn(T) -> &'static str) -> &'static str {
    value.map_or(NOT_GIVEN, label)
}

/// The message id of a wire name of the vocabulary `T` (a key of one of
/// the report's breakdowns: `civil_society`, `grulac`, `question`...),
/// read back through serde; [`NOT_GIVEN`] for the key of requests that
/// gave none, and `None` for an unknown name (shown as it is).
pub fn of_code<T: DeserializeOwned>(
    code: &str,
    label: fn(T) -> &'static str,
) -> Option<&'static str> {
    if code == crate::report::NOT_GIVEN_KEY {
        return Some(NOT_GIVEN);
    }
    serde_json::from_value(serde_json::Value::String(code.to_owned()))
        .ok()
        .map(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_to_their_messages() {
        assert_eq!(
            of_code("civil_society", stakeholder_group),
            Some("group-civil-society")
        );
        assert_eq!(of_code("grulac", region), Some("region-grulac"));
        assert_eq!(of_code("other", region), Some("region-other"));
        assert_eq!(of_code("other", stakeholder_group), Some("group-other"));
        assert_eq!(of_code("question", kind), Some("kind-question"));
        assert_eq!(of_code("not given", region), Some(NOT_GIVEN));
        assert_eq!(of_code("=1+1", region), None);
    }
}
