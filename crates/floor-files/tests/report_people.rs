//! The report's human forms (Markdown and HTML) in people's terms: dates
//! and times in the session's time zone, labels instead of codes, every
//! request with what became of it, and the remote participation figures
//! of online requests only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use floor_files::report::{Outcome, Report};
use floor_protocol::{
    Channel, Command, EntryDraft, ErrorCode, Kind, Person, Phase, PhaseKind, Programme, Region,
    SettingsPatch, StakeholderGroup,
};
use support::*;

fn programme(time_zone: Option<&str>) -> Programme {
    Programme {
        chair: Some(Person {
            stakeholder_group: Some(StakeholderGroup::CivilSociety),
            region: Some(Region::Grulac),
            ..Person::named("Parminder Jeet Singh")
        }),
        online_moderator: None,
        rapporteur: None,
        time_zone: time_zone.map(str::to_owned),
        phases: vec![Phase {
            title: "Open floor".into(),
            kind: PhaseKind::OpenFloor,
            minutes: 30,
            speakers: Vec::new(),
            minutes_each: None,
        }],
    }
}

/// A session with a request of every outcome: spoke, speaking, waiting,
/// pending, withdrawn, rejected (onsite, with a reason), merged.
fn every_outcome(time_zone: Option<&str>) -> Report {
    let mut s = Session::new();
    s.run(
        &chair(),
        Command::SetProgramme {
            programme: programme(time_zone),
        },
    )
    .unwrap();
    s.settings(SettingsPatch {
        moderated: Some(true),
        ..SettingsPatch::default()
    });
    let amina = s.run(
        &runner(),
        Command::Submit {
            entry: EntryDraft {
                kind: Kind::Question,
                text: Some("Who pays for the | pipes?".into()),
                person: Person {
                    stakeholder_group: Some(StakeholderGroup::CivilSociety),
                    region: Some(Region::Grulac),
                    ..Person::named("Amina Diallo")
                },
                ..draft(Channel::Onsite, "Amina Diallo")
            },
        },
    );
    let amina = amina.unwrap().receipt.entry_id.unwrap();
    let carla = s.remote("Carla Ruiz");
    let dup = s.remote("Carla R.");
    s.merge(dup, carla);
    let bo = s.hand("Bo Chen");
    s.run(
        &chair(),
        Command::Reject {
            entry_id: bo,
            reason: Some("Asked already".into()),
        },
    )
    .unwrap();
    let dev = s.remote("Dev Patel");
    s.run(&moderator(), Command::Withdraw { entry_id: dev })
        .unwrap();
    s.add(
        &participant("eva", Channel::Online),
        Channel::Online,
        "Eva Novak",
    );
    s.hand("Fay Wong");
    s.run(&chair(), Command::call(amina)).unwrap();
    s.run(&chair(), Command::call(carla)).unwrap();
    Report::from_events("Every outcome", &s.log).unwrap()
}

#[test]
fn every_request_is_listed_with_what_became_of_it() {
    let report = every_outcome(Some("Europe/Paris"));
    assert_eq!(
        outcomes(&report),
        [
            ("Amina Diallo", Outcome::Spoke),
            ("Carla Ruiz", Outcome::Speaking),
            ("Carla R.", Outcome::Merged),
            ("Bo Chen", Outcome::Rejected),
            ("Dev Patel", Outcome::Withdrawn),
            ("Eva Novak", Outcome::Pending),
            ("Fay Wong", Outcome::Waiting),
        ]
    );
    assert!(report.questions[0].called_ms.is_some());
    assert_eq!(
        report.questions[3].reject_reason.as_deref(),
        Some("Asked already")
    );
    assert_eq!(
        report.questions[2].merged_into.as_deref(),
        Some("Carla Ruiz")
    );
    let md = plain(&report.markdown());
    // Names and reasons are user content, isolated in `<bdi>`.
    let html = report
        .html()
        .unwrap()
        .replace("<bdi>", "")
        .replace("</bdi>", "");
    for words in [
        "Given the floor at 13:00",
        "Given the floor at 13:00, speaking at the end",
        "Merged into Carla Ruiz&#39;s request",
        "Rejected: Asked already",
        "Withdrawn",
        "Still awaiting approval at the end",
        "Still waiting at the end",
        "Question, onsite",
    ] {
        assert!(md.contains(&words.replace("&#39;", "'")), "{words} in {md}");
        assert!(
            html.contains(&words.replace("&#39;", "'")),
            "{words} in {html}"
        );
    }
    // A pipe in a question keeps the Markdown table's shape.
    assert!(md.contains("Who pays for the \\| pipes?"), "{md}");
}

#[test]
fn dates_and_times_are_in_the_session_s_zone_and_say_which() {
    // The session runs from 2018-11-26T12:00:01Z: 13:00 in Paris.
    let paris = every_outcome(Some("Europe/Paris"));
    assert_eq!(paris.time_zone, "Europe/Paris");
    let when = "Monday 26 November 2018, 13:00 to 13:00 (times in Europe/Paris, UTC+01:00)";
    for text in [paris.markdown(), paris.html().unwrap()] {
        assert!(text.contains(when), "{text}");
        // No raw broker time in a human form.
        assert!(!text.contains("154323"), "{text}");
        assert!(!text.contains("ms since"), "{text}");
    }
    let utc = every_outcome(None);
    assert_eq!(utc.time_zone, "UTC");
    assert!(
        utc.markdown()
            .contains("Monday 26 November 2018, 12:00 to 12:00 (times in UTC)")
    );
    assert!(utc.markdown().contains("Given the floor at 12:00"));
}

#[test]
fn codes_are_shown_as_labels_and_kept_in_the_json() {
    let report = every_outcome(None);
    for text in [report.markdown(), report.html().unwrap()] {
        assert!(text.contains("Civil society"), "{text}");
        assert!(
            text.contains("Latin America and the Caribbean (GRULAC)"),
            "{text}"
        );
        assert!(text.contains("Not given"), "{text}");
        for code in ["civil_society", "grulac", "| not given |"] {
            assert!(!text.contains(code), "{code} in {text}");
        }
    }
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["requests_by_group"]["civil_society"]["onsite"], 1);
    assert_eq!(json["requests_by_region"]["grulac"]["onsite"], 1);
}

#[test]
fn remote_participation_counts_online_requests_only() {
    // Bo's rejection is onsite; Carla R.'s merge and Dev's withdrawal are
    // online.
    let report = every_outcome(None);
    assert_eq!(
        (report.merged, report.rejected, report.withdrawn),
        (1, 1, 1)
    );
    let q = report.online_questions;
    assert_eq!((q.merged, q.rejected, q.withdrawn), (1, 0, 1));
    let sentence = "Online requests merged as duplicates: 1; rejected: 0; withdrawn: 1.";
    assert!(
        report.markdown().contains(sentence),
        "{}",
        report.markdown()
    );
    assert!(report.html().unwrap().contains(sentence));
}

#[test]
fn the_html_report_has_a_main_landmark_headings_in_order_and_no_empty_header() {
    let html = every_outcome(None).html().unwrap();
    assert_eq!(html.matches("<main>").count(), 1);
    assert!(
        !html.contains("<th></th>") && !html.contains("\"></th>"),
        "{html}"
    );
    let mut level = 0;
    for (i, _) in html.match_indices("<h") {
        let Some(n) = html[i + 2..].chars().next().and_then(|c| c.to_digit(10)) else {
            continue;
        };
        assert!(n <= level + 1, "h{n} after h{level}");
        level = n;
    }
    assert_eq!(html.matches("<h1>").count(), 1);
    // The charts' legends are HTML under the plot, never in it.
    assert!(html.contains("<ul class=\"legend\">"));
}

#[test]
fn a_time_zone_the_database_does_not_know_is_refused() {
    let mut s = Session::new();
    let error = s
        .run(
            &chair(),
            Command::SetProgramme {
                programme: programme(Some("Mars/Olympus_Mons")),
            },
        )
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidField);
    assert_eq!(error.field(), Some("programme.time_zone"));
    assert!(s.log.is_empty());
    s.run(
        &chair(),
        Command::SetProgramme {
            programme: programme(Some(" America/Sao_Paulo ")),
        },
    )
    .unwrap();
    assert_eq!(
        s.room
            .view_ref()
            .programme
            .as_ref()
            .unwrap()
            .time_zone
            .as_deref(),
        Some("America/Sao_Paulo")
    );
    s.run(
        &chair(),
        Command::SetProgramme {
            programme: programme(Some("  ")),
        },
    )
    .unwrap();
    assert_eq!(
        s.room.view_ref().programme.as_ref().unwrap().time_zone,
        None
    );
}
