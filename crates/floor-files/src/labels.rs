//! The words people read for the closed vocabularies: one table, used by
//! every human form of the report (HTML, Markdown, and `floor report`,
//! which prints the Markdown). The JSON and CSV forms keep the wire names.
//!
//! Each table is a `match`, so a value added to a vocabulary does not
//! compile until it has its label; [`of_code`] reads a wire name back
//! through serde, so no list of wire names is kept by hand.

use floor_protocol::{Channel, Kind, Region, StakeholderGroup};
use serde::de::DeserializeOwned;

/// What the report shows for a figure with no value given.
pub const NOT_GIVEN: &str = "Not given";

/// A stakeholder group's label.
pub fn stakeholder_group(group: StakeholderGroup) -> &'static str {
    match group {
        StakeholderGroup::Government => "Government",
        StakeholderGroup::CivilSociety => "Civil society",
        StakeholderGroup::PrivateSector => "Private sector",
        StakeholderGroup::TechnicalCommunity => "Technical community",
        StakeholderGroup::Intergovernmental => "Intergovernmental organisation",
        StakeholderGroup::Academia => "Academia",
        StakeholderGroup::Other => "Other group",
    }
}

/// A UN regional group's label.
pub fn region(region: Region) -> &'static str {
    match region {
        Region::African => "Africa (African Group)",
        Region::AsiaPacific => "Asia and the Pacific (Asia-Pacific Group)",
        Region::EasternEuropean => "Eastern Europe (Eastern European Group)",
        Region::Grulac => "Latin America and the Caribbean (GRULAC)",
        Region::Weog => "Western Europe and others (WEOG)",
        Region::Other => "Other region",
    }
}

/// A kind of request's label.
pub fn kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Question => "Question",
        Kind::Comment => "Comment",
    }
}

/// A channel's label.
pub fn channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Onsite => "Onsite",
        Channel::Online => "Online",
    }
}

/// The label of an optional value, [`NOT_GIVEN`] when absent.
pub fn or_not_given<T>(value: Option<T>, label: fn(T) -> &'static str) -> &'static str {
    value.map_or(NOT_GIVEN, label)
}

/// The label of a wire name of the vocabulary `T` (a key of one of the
/// report's breakdowns: `civil_society`, `grulac`, `question`...), read
/// back through serde; [`NOT_GIVEN`] for the key of requests that gave
/// none, and an unknown name as it is.
pub fn of_code<T: DeserializeOwned>(code: &str, label: fn(T) -> &'static str) -> String {
    if code == crate::report::NOT_GIVEN_KEY {
        return NOT_GIVEN.to_owned();
    }
    serde_json::from_value(serde_json::Value::String(code.to_owned()))
        .map_or_else(|_| code.to_owned(), |value| label(value).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_to_their_labels() {
        assert_eq!(of_code("civil_society", stakeholder_group), "Civil society");
        assert_eq!(
            of_code("grulac", region),
            "Latin America and the Caribbean (GRULAC)"
        );
        assert_eq!(of_code("other", region), "Other region");
        assert_eq!(of_code("other", stakeholder_group), "Other group");
        assert_eq!(of_code("question", kind), "Question");
        assert_eq!(of_code("not given", region), "Not given");
        assert_eq!(of_code("=1+1", region), "=1+1");
    }
}
