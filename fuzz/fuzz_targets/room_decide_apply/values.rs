//! The values a session's steps pick from by number: names and texts
//! (ordinary and awkward), stakeholder groups, regions, deliveries,
//! genders.

use floor_protocol::{Delivery, Gender, Region, StakeholderGroup};

/// Names, the first ten ordinary, then the awkward: the same person spelt
/// differently, the limits of length, blanks, controls, combining marks.
pub(crate) const NAMES: [&str; 20] = [
    "Roberto Bissio",
    "Deborah James",
    "Aileen Kwa",
    "Christopher Foster",
    "Sofia Scasserra",
    "Norbert Bollow",
    "Nandini Chami",
    "Parminder Jeet Singh",
    "Ana Silva",
    "Kwame Mensah",
    "  roberto   BISSIO ",
    "Ana Silva\u{301}",
    "Ana Silv\u{e1}",
    "",
    "   ",
    "\u{0}\u{7}",
    "\u{200b}\u{200d}\u{202e}",
    "\u{1f399}\u{fe0f} \u{645}\u{62d}\u{645}\u{62f}",
    // 80 characters, the limit.
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    // 81 characters, one over.
    "\u{e9}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

/// Free texts for the optional fields.
const TEXTS: [&str; 8] = [
    "How will this affect small farmers?",
    "",
    "  ",
    "en",
    "pt-BR",
    "x-Klingon-not-a-tag",
    "Room 1, microphone 4",
    "\u{feff}line\nbreak\ttab",
];

pub(crate) fn name(n: u8) -> String {
    NAMES[usize::from(n) % NAMES.len()].to_owned()
}

pub(crate) fn text(n: u8) -> String {
    let base = TEXTS[usize::from(n) % TEXTS.len()];
    // Lengths past every limit, now and then.
    match n / 64 {
        3 => base.repeat(50) + &"z".repeat(1001),
        _ => base.to_owned(),
    }
}

pub(crate) fn group(n: u8) -> StakeholderGroup {
    let all = [
        StakeholderGroup::Government,
        StakeholderGroup::CivilSociety,
        StakeholderGroup::PrivateSector,
        StakeholderGroup::TechnicalCommunity,
        StakeholderGroup::Intergovernmental,
        StakeholderGroup::Academia,
        StakeholderGroup::Other,
    ];
    all[usize::from(n) % all.len()]
}

pub(crate) fn region(n: u8) -> Region {
    let all = [
        Region::African,
        Region::AsiaPacific,
        Region::EasternEuropean,
        Region::Grulac,
        Region::Weog,
        Region::Other,
    ];
    all[usize::from(n) % all.len()]
}

pub(crate) fn delivery(n: u8) -> Delivery {
    let all = [
        Delivery::RoomMic,
        Delivery::RemoteAudio,
        Delivery::ReadAloud,
    ];
    all[usize::from(n) % all.len()]
}

pub(crate) fn gender(n: u8) -> Gender {
    let all = [
        Gender::Woman,
        Gender::Man,
        Gender::NonBinary,
        Gender::Another,
    ];
    all[usize::from(n) % all.len()]
}
