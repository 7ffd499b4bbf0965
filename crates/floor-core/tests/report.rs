//! The session report of a recorded session, checked against figures
//! worked out by hand. The recording is `tests/fixtures/ws235-session.jsonl`
//! at the workspace root (one event per line); `simulate` below is the
//! script that produced it (`FLOOR_UPDATE_FIXTURE=1` rewrites it), and a
//! test keeps the two equal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use floor_core::report::{PerChannel, Report, Waits};
use floor_protocol::{
    Attendance, Channel, Command, EntryDraft, Gender, Kind, Person, Region, RoomEvent,
    SettingsPatch, StakeholderGroup,
};
use support::*;
use uuid::Uuid;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/ws235-session.jsonl"
);

fn person(name: &str, group: Option<StakeholderGroup>, region: Option<Region>) -> Person {
    Person {
        stakeholder_group: group,
        region,
        ..Person::named(name)
    }
}

fn entry(channel: Channel, kind: Kind, person: Person) -> Command {
    Command::Submit {
        entry: EntryDraft {
            channel,
            kind,
            person,
            text: None,
            location: None,
            language: None,
            delivery: None,
            gender: None,
        },
    }
}

fn declaring(command: Command, gender: Gender) -> Command {
    match command {
        Command::Submit { entry } => Command::Submit {
            entry: EntryDraft {
                gender: Some(gender),
                ..entry
            },
        },
        other => other,
    }
}

/// The session, second by second from `T`, the moment the floor opens.
fn simulate() -> Vec<RoomEvent> {
    let mut s = Session::new();
    let t = s.now_ms + 100_000;
    // `run` moves the clock 1 s forward before each command.
    let at = |s: &mut Session, second: u64| s.now_ms = t + second * 1000 - 1000;
    let programme =
        floor_core::programme::parse(include_str!("../../../examples/igf2018-ws235.toml"))
            .unwrap()
            .programme;
    s.run(&chair(), Command::SetProgramme { programme })
        .unwrap();
    s.settings(SettingsPatch {
        moderated: Some(true),
        intake_window_s: Some(0),
        ..SettingsPatch::default()
    });
    at(&mut s, 0);
    s.run(&chair(), Command::StartPhase { phase: 1 }).unwrap();
    // The broker records the participant pages connected at each new peak.
    let attendance = |s: &mut Session, second, onsite, online| {
        at(s, second);
        s.run(
            &chair(),
            Command::RecordAttendance {
                connected: Attendance { onsite, online },
            },
        )
        .unwrap();
    };
    attendance(&mut s, 5, 40, 12);
    let submit = |s: &mut Session, second, actor: &floor_core::Actor, command| -> Uuid {
        at(s, second);
        s.run(actor, command).unwrap().receipt.entry_id.unwrap()
    };
    use Channel::{Online, Onsite};
    use StakeholderGroup::*;
    submit(
        &mut s,
        10,
        &runner(),
        declaring(
            entry(
                Onsite,
                Kind::Question,
                person("Amina Diallo", Some(CivilSociety), Some(Region::African)),
            ),
            Gender::Woman,
        ),
    );
    let bo = submit(
        &mut s,
        20,
        &runner(),
        declaring(
            entry(
                Onsite,
                Kind::Comment,
                person("Bo Chen", Some(PrivateSector), Some(Region::AsiaPacific)),
            ),
            Gender::Man,
        ),
    );
    let carla = submit(
        &mut s,
        30,
        &moderator(),
        declaring(
            entry(
                Online,
                Kind::Question,
                person("Carla Ruiz", Some(Academia), Some(Region::Grulac)),
            ),
            Gender::Woman,
        ),
    );
    submit(
        &mut s,
        40,
        &moderator(),
        entry(Online, Kind::Question, person("Dev Patel", None, None)),
    );
    let eva = submit(
        &mut s,
        50,
        &participant("eva", Online),
        declaring(
            entry(Online, Kind::Question, person("Eva Novak", None, None)),
            Gender::NonBinary,
        ),
    );
    at(&mut s, 60);
    s.run(&moderator(), Command::Approve { entry_id: eva })
        .unwrap();
    let fay = submit(
        &mut s,
        70,
        &moderator(),
        entry(Online, Kind::Question, person("Fay Wong", None, None)),
    );
    at(&mut s, 80);
    s.run(
        &moderator(),
        Command::Reject {
            entry_id: fay,
            reason: Some("Off topic".into()),
        },
    )
    .unwrap();
    let dup = submit(
        &mut s,
        90,
        &moderator(),
        entry(Online, Kind::Question, person("Carla R.", None, None)),
    );
    at(&mut s, 100);
    s.run(
        &moderator(),
        Command::Merge {
            entry_id: dup,
            into: carla,
        },
    )
    .unwrap();
    // The online moderator counts the remote audience now and then.
    let audience = |s: &mut Session, second, count| {
        at(s, second);
        s.run(&moderator(), Command::SetRemoteAudience { count })
            .unwrap();
    };
    let next = |s: &mut Session, second| {
        at(s, second);
        s.run(&chair(), Command::Next {}).unwrap();
    };
    audience(&mut s, 105, 84);
    next(&mut s, 120); // Carla (online's turn)
    attendance(&mut s, 130, 52, 18);
    audience(&mut s, 200, 120);
    next(&mut s, 240); // Amina
    next(&mut s, 300); // Dev
    attendance(&mut s, 350, 47, 21);
    audience(&mut s, 400, 95);
    at(&mut s, 420);
    s.run(&chair(), Command::Call { entry_id: bo }).unwrap();
    at(&mut s, 450);
    s.run(&chair(), Command::Pin { entry_id: eva }).unwrap();
    at(&mut s, 480);
    s.run(&chair(), Command::Finish {}).unwrap();
    next(&mut s, 500); // Eva, pinned
    at(&mut s, 600);
    s.run(&chair(), Command::Finish {}).unwrap();
    s.log
}

fn recorded() -> Vec<RoomEvent> {
    std::fs::read_to_string(FIXTURE)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn the_fixture_is_the_recording_of_the_script() {
    let log = simulate();
    if std::env::var_os("FLOOR_UPDATE_FIXTURE").is_some() {
        let text: String = log
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect();
        std::fs::write(FIXTURE, text).unwrap();
    }
    assert_eq!(
        recorded(),
        log,
        "run with FLOOR_UPDATE_FIXTURE=1 to re-record"
    );
}

#[test]
fn the_report_of_the_recorded_session_matches_the_figures_worked_out_by_hand() {
    let log = recorded();
    let report = Report::from_events("IGF 2018 WS #235", &log).unwrap();
    let pc = |onsite, online| PerChannel { onsite, online };

    let names: Vec<&str> = report.speakers.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Roberto Bissio",
            "Deborah James",
            "Aileen Kwa",
            "Christopher Foster",
            "Sofia Scasserra"
        ]
    );
    // Requests: Amina, Bo in the room; Carla, Dev, Eva, Fay, Carla R. online.
    assert_eq!(report.requests, pc(2, 5));
    // Turns: Amina, Bo; Carla, Dev, Eva.
    assert_eq!(report.turns, pc(2, 3));
    assert_eq!(report.requests_by_kind["question"], pc(1, 5));
    assert_eq!(report.requests_by_kind["comment"], pc(1, 0));
    assert_eq!(report.turns_by_kind["question"], pc(1, 3));
    assert_eq!(report.turns_by_kind["comment"], pc(1, 0));
    assert_eq!(report.requests_by_group["civil_society"], pc(1, 0));
    assert_eq!(report.requests_by_group["private_sector"], pc(1, 0));
    assert_eq!(report.requests_by_group["academia"], pc(0, 1));
    assert_eq!(report.requests_by_group["not given"], pc(0, 4));
    assert_eq!(report.turns_by_region["african"], pc(1, 0));
    assert_eq!(report.turns_by_region["asia_pacific"], pc(1, 0));
    assert_eq!(report.turns_by_region["grulac"], pc(0, 1));
    assert_eq!(report.turns_by_region["not given"], pc(0, 2));
    // Online: 5 asked; all 5 reached the queue (Eva once approved; Fay
    // and Carla R. before their rejection and merge); 3 answered.
    let q = report.online_questions;
    assert_eq!((q.asked, q.forwarded, q.answered), (5, 5, 3));
    assert_eq!(
        (report.merged, report.rejected, report.withdrawn),
        (1, 1, 0)
    );
    // Waits: Amina 240 - 10 = 230 s, Bo 420 - 20 = 400 s; Carla 120 - 30 =
    // 90 s, Dev 300 - 40 = 260 s, Eva 500 - 60 (approved) = 440 s.
    assert_eq!(
        report.waiting_onsite,
        Waits {
            count: 2,
            median_ms: Some(230_000),
            p90_ms: Some(400_000)
        }
    );
    assert_eq!(
        report.waiting_online,
        Waits {
            count: 3,
            median_ms: Some(260_000),
            p90_ms: Some(440_000)
        }
    );
    // Speaking: Amina 60 s, Bo 60 s; Carla 120 s, Dev 120 s, Eva 100 s.
    assert_eq!(report.speaking_ms, pc(120_000, 340_000));
    let share = report.online_speaking_share_pct.unwrap();
    assert!((share - 73.913).abs() < 0.001, "{share}");
    // The chair's overrides: Bo called out of order, Eva pinned.
    let overrides: Vec<(&str, &str)> = report
        .overrides
        .iter()
        .map(|o| (o.action, o.name.as_str()))
        .collect();
    assert_eq!(overrides, [("call", "Bo Chen"), ("pin", "Eva Novak")]);
    // The remote audience peaked at 120.
    assert_eq!(report.remote_audience_peak, Some(120));
    // Participant pages: 40/12, then 52/18, then 47/21: each channel's
    // own peak is 52 in the room and 21 online.
    assert_eq!(report.attendance_peak, Some(pc(52, 21)));
    // Genders declared: Amina and Carla woman, Bo man, Eva non-binary;
    // Dev, Fay and Carla R. gave none.
    let declared: Vec<(&str, u64)> = report
        .genders
        .declared
        .iter()
        .map(|(g, n)| (g.as_str(), *n))
        .collect();
    assert_eq!(declared, [("man", 1), ("non_binary", 1), ("woman", 2)]);
    assert_eq!(report.genders.not_given, 3);
    // The queue: its longest was 2 in the room and 4 online, at 90 s
    // (Carla R. in, before the merge); empty at the end.
    let peak = report.queue.iter().map(|p| p.onsite + p.online).max();
    assert_eq!(peak, Some(6));
    let last = report.queue.last().unwrap();
    assert_eq!((last.onsite, last.online), (0, 0));
}
