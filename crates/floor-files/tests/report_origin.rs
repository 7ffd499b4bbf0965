//! The report counts requests by where they were entered: in the room
//! (the mic runner, the chair), by the online moderator, from participant
//! pages, relayed from Matrix (a relayed request is submitted by the
//! online moderator or the chair, and counts as Matrix's).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use floor_files::Lang;
use floor_files::report::{Origin, Origins, Report};
use floor_protocol::{Channel, Command, EntryDraft, Person, Source};
use support::*;

/// A request relayed from Matrix for `name`, whose Matrix id is `id`.
fn relayed(name: &str, id: &str) -> Command {
    Command::Submit {
        entry: EntryDraft {
            person: Person {
                person_id: Some(id.to_owned()),
                ..Person::named(name)
            },
            source: Some(Source::Matrix),
            ..draft(Channel::Online, name)
        },
    }
}

/// Three requests in the room (two by the runner, one by the chair), one
/// by the online moderator, two from participant pages, three relayed
/// from Matrix (two by the moderator's bridge, one by the chair).
fn session() -> Report {
    let mut s = Session::new();
    s.hand("Amina Diallo");
    s.hand("Bo Chen");
    s.add(&chair(), Channel::Onsite, "Carla Ruiz");
    s.remote("Dev Patel");
    s.add(
        &participant("eva", Channel::Online),
        Channel::Online,
        "Eva Novak",
    );
    s.add(
        &participant("fay", Channel::Onsite),
        Channel::Onsite,
        "Fay Wong",
    );
    for (actor, name, id) in [
        (moderator(), "Gus Lind", "@gus:example.org"),
        (moderator(), "Hana Sato", "@hana:example.org"),
        (chair(), "Ivo Petrov", "@ivo:example.org"),
    ] {
        s.run(&actor, relayed(name, id)).unwrap();
    }
    Report::from_events("Origins", &s.log).unwrap()
}

#[test]
fn each_request_counts_where_it_was_entered() {
    let report = session();
    assert_eq!(
        report.requests_by_origin,
        Origins {
            room: 3,
            moderator: 1,
            participant: 2,
            matrix: 3,
        }
    );
    let sum: u64 = Origin::ALL
        .iter()
        .map(|o| report.requests_by_origin.get(*o))
        .sum();
    assert_eq!(sum, report.requests.total());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["requests_by_origin"],
        serde_json::json!({"room": 3, "moderator": 1, "participant": 2, "matrix": 3})
    );
}

#[test]
fn the_human_forms_say_it_in_a_sentence_and_the_csv_in_rows() {
    let report = session();
    let sentence =
        "Requests by origin: in the room 3, online moderator 1, participant pages 2, Matrix 3.";
    let md = report.markdown();
    assert!(md.contains(&format!("\n{sentence}\n")), "{md}");
    let html = report.html().unwrap();
    assert!(html.contains(&format!("<p>{sentence}</p>")), "{html}");
    assert!(report.markdown_in(Lang::Fr).contains(
        "Demandes de parole selon leur origine\u{a0}: dans la salle, 3\u{202f}; \
             par le modérateur en ligne, 1\u{202f}; depuis les pages des participants, 2\u{202f}; \
             relayées depuis Matrix, 3."
    ));
    assert!(report.markdown_in(Lang::Zh).contains(
        "发言申请来源：现场录入3个，线上主持人录入1个，参会者页面提交2个，经 Matrix 转达3个。"
    ));
    let csv = report.csv();
    for row in [
        "requests by origin,room,,,3",
        "requests by origin,moderator,,,1",
        "requests by origin,participant,,,2",
        "requests by origin,matrix,,,3",
    ] {
        assert!(csv.contains(&format!("\n{row}\n")), "{row} in {csv}");
    }
}
