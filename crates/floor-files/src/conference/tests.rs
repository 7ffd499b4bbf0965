//! The fixture programmes (`tests/fixtures/conference/`), the example
//! room files and the checks every format shares.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::*;

const ICS: &str = include_str!("../../../../tests/fixtures/conference/igf-programme.ics");
const ICS_CHANGED: &str =
    include_str!("../../../../tests/fixtures/conference/igf-programme-changed.ics");
const XML: &str = include_str!("../../../../tests/fixtures/conference/igf-programme.xml");
const JSON: &str = include_str!("../../../../tests/fixtures/conference/igf-programme.json");
const CSV: &str = include_str!("../../../../tests/fixtures/conference/igf-programme.csv");

fn by_uid(sessions: Vec<ProgrammeSession>) -> BTreeMap<String, ProgrammeSession> {
    sessions.into_iter().map(|s| (s.uid.clone(), s)).collect()
}

#[test]
fn the_four_fixtures_read_to_the_same_sessions() {
    let ics = read_programme(ICS, ProgrammeFormat::Ics).unwrap();
    for (text, format) in [
        (XML, ProgrammeFormat::FrabXml),
        (JSON, ProgrammeFormat::FrabJson),
        (CSV, ProgrammeFormat::Csv),
    ] {
        let other = read_programme(text, format).unwrap();
        assert_eq!(other.len(), ics.len(), "{format:?}");
        for (a, b) in ics.iter().zip(&other) {
            assert_eq!(a, b, "{format:?}");
        }
    }
}

#[test]
fn the_main_fixture_is_a_three_day_igf_programme() {
    let sessions = read_programme(ICS, ProgrammeFormat::Ics).unwrap();
    assert!(sessions.len() >= 60, "{}", sessions.len());
    let paris = time::zone("Europe/Paris").unwrap();
    let days: BTreeSet<String> = sessions
        .iter()
        .map(|s| s.starts_at.to_zoned(paris.clone()).date().to_string())
        .collect();
    assert_eq!(
        days.into_iter().collect::<Vec<_>>(),
        ["2018-11-12", "2018-11-13", "2018-11-14"]
    );
    let locations: BTreeSet<&str> = sessions.iter().map(|s| s.location.as_str()).collect();
    assert_eq!(locations.len(), 8);
    assert!(locations.iter().any(|l| !l.is_ascii()));
    let kinds: BTreeSet<&str> = sessions.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "Best Practice Forum",
            "Dynamic Coalition",
            "Main Session",
            "Open Forum",
            "Workshop"
        ]
    );
    for s in &sessions {
        assert_eq!(s.time_zone.as_deref(), Some("Europe/Paris"));
        assert!(slug::is_room_id(&s.id), "{}", s.id);
        let start = s.starts_at.to_zoned(paris.clone()).time();
        let end = s.ends_at.to_zoned(paris.clone()).time();
        assert!(start >= jiff::civil::time(9, 0, 0, 0), "{s:?}");
        assert!(end <= jiff::civil::time(18, 30, 0, 0), "{s:?}");
    }
    // Folded and escaped: the long title with commas reads whole.
    assert!(sessions.iter().any(|s| s.title
        == "Internet Governance, Local Languages and Scripts: Universal Acceptance, IDNs and the Next Billion Users"));
    // Sorted by start, location, id.
    let keys: Vec<_> = sessions
        .iter()
        .map(|s| (s.starts_at, s.location.clone(), s.id.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

/// The changes the fixtures' README lists, checked against the files.
#[test]
fn the_changed_fixture_differs_as_its_readme_says() {
    let before = by_uid(read_programme(ICS, ProgrammeFormat::Ics).unwrap());
    let after = by_uid(read_programme(ICS_CHANGED, ProgrammeFormat::Ics).unwrap());
    let gone: Vec<&str> = before
        .keys()
        .filter(|uid| !after.contains_key(*uid))
        .map(String::as_str)
        .collect();
    // One removed, one cancelled: both absent.
    assert_eq!(
        gone,
        [
            "IGF2018-WS123@intgovforum.org",
            "IGF2018-WS135@intgovforum.org"
        ]
    );
    assert!(ICS_CHANGED.contains("UID:IGF2018-WS123@intgovforum.org"));
    let added: Vec<&str> = after
        .keys()
        .filter(|uid| !before.contains_key(*uid))
        .map(String::as_str)
        .collect();
    assert_eq!(added, ["IGF2018-WS900@intgovforum.org"]);
    let mut retitled = Vec::new();
    let mut moved_in_time = Vec::new();
    let mut moved_room = Vec::new();
    for (uid, a) in &after {
        let Some(b) = before.get(uid) else { continue };
        if a.title != b.title {
            retitled.push(uid.as_str());
        }
        if (a.starts_at, a.ends_at) != (b.starts_at, b.ends_at) {
            moved_in_time.push(uid.as_str());
        }
        if a.location != b.location {
            moved_room.push(uid.as_str());
        }
        assert_eq!((&a.id, &a.kind), (&b.id, &b.kind));
    }
    assert_eq!(
        retitled,
        [
            "IGF2018-BPF6@intgovforum.org",
            "IGF2018-DC2@intgovforum.org",
            "IGF2018-WS115@intgovforum.org"
        ]
    );
    assert_eq!(
        moved_in_time,
        [
            "IGF2018-WS131@intgovforum.org",
            "IGF2018-WS132@intgovforum.org"
        ]
    );
    assert_eq!(moved_room, ["IGF2018-OF8@intgovforum.org"]);
    assert_eq!(after["IGF2018-OF8@intgovforum.org"].location, "Room IV");
    assert_eq!(
        after["IGF2018-WS132@intgovforum.org"].starts_at.to_string(),
        "2018-11-14T09:40:00Z"
    );
}

#[test]
fn the_example_room_files_read_with_their_lengths() {
    for (text, minutes) in [
        (include_str!("../../../../examples/workshop-90.toml"), 90),
        (include_str!("../../../../examples/open-forum-60.toml"), 60),
        (include_str!("../../../../examples/main-session.toml"), 180),
    ] {
        let file = crate::programme::parse(text).unwrap();
        assert_eq!(file.programme.minutes(), minutes);
    }
    let workshop = crate::programme::parse(include_str!("../../../../examples/workshop-90.toml"))
        .unwrap()
        .programme;
    let minutes: Vec<u32> = workshop.phases.iter().map(|p| p.minutes).collect();
    assert_eq!(minutes, [5, 40, 40, 5]);
    let names: Vec<&str> = workshop.phases[1]
        .speakers
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["Speaker 1", "Speaker 2", "Speaker 3", "Speaker 4"]);
}

#[test]
fn formats_come_from_the_extension() {
    for (path, format) in [
        ("igf.ics", ProgrammeFormat::Ics),
        ("dir/schedule.XML", ProgrammeFormat::FrabXml),
        ("schedule.json", ProgrammeFormat::FrabJson),
        ("programme.csv", ProgrammeFormat::Csv),
    ] {
        assert_eq!(ProgrammeFormat::from_path(Path::new(path)).unwrap(), format);
    }
    for path in ["programme.pdf", "programme", "ics"] {
        let error = ProgrammeFormat::from_path(Path::new(path)).unwrap_err();
        assert!(matches!(error, ProgrammeError::UnknownFormat { .. }));
        assert!(error.to_string().contains(".ics (iCalendar)"), "{error}");
    }
}

#[test]
fn the_shared_checks_refuse_what_no_room_can_be() {
    let ok = Draft {
        at: "line 2".into(),
        uid: " WS1 ".into(),
        title: " A title ".into(),
        starts_at: "2018-11-12T09:00:00Z".parse().unwrap(),
        ends_at: "2018-11-12T10:00:00Z".parse().unwrap(),
        location: " Room I ".into(),
        kind: " Workshop ".into(),
        time_zone: None,
    };
    let s = Draft { ..clone(&ok) }.check().unwrap();
    assert_eq!(
        (
            s.uid.as_str(),
            s.id.as_str(),
            s.title.as_str(),
            s.location.as_str(),
            s.kind.as_str()
        ),
        ("WS1", "ws1", "A title", "Room I", "Workshop")
    );
    let title200 = "é".repeat(200);
    assert!(
        Draft {
            title: title200,
            ..clone(&ok)
        }
        .check()
        .is_ok()
    );
    let cases = [
        (
            Draft {
                uid: "  ".into(),
                ..clone(&ok)
            },
            "has no uid",
        ),
        (
            Draft {
                title: "".into(),
                ..clone(&ok)
            },
            "has no title",
        ),
        (
            Draft {
                title: "é".repeat(201),
                ..clone(&ok)
            },
            "201 characters",
        ),
        (
            Draft {
                title: "a\u{7}b".into(),
                ..clone(&ok)
            },
            "control character",
        ),
        (
            Draft {
                location: " ".into(),
                ..clone(&ok)
            },
            "has no location",
        ),
        (
            Draft {
                ends_at: ok.starts_at,
                ..clone(&ok)
            },
            "no later than it starts",
        ),
    ];
    for (draft, reason) in cases {
        let text = draft.check().unwrap_err().to_string();
        assert!(text.starts_with("line 2: "), "{text}");
        assert!(text.contains(reason), "{text}");
    }
    assert_eq!(assemble(Vec::new()).unwrap_err(), ProgrammeError::Empty);
}

fn clone(d: &Draft) -> Draft {
    Draft {
        at: d.at.clone(),
        uid: d.uid.clone(),
        title: d.title.clone(),
        starts_at: d.starts_at,
        ends_at: d.ends_at,
        location: d.location.clone(),
        kind: d.kind.clone(),
        time_zone: d.time_zone.clone(),
    }
}
