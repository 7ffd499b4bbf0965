//! The session report of a recorded session, checked against figures
//! worked out by hand. The recording is `tests/fixtures/ws235-session.jsonl`
//! at the workspace root (one event per line); `simulate` below is the
//! script that produced it (`FLOOR_UPDATE_FIXTURE=1` rewrites it), and a
//! test keeps the two equal. The genders declared in it are not in the
//! recording (no event carries one): the script counts them, as the
//! broker's store does. `tests/fixtures/ws235-legacy.jsonl` is the same
//! session recorded when declarations were `gender_declared` events.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use floor_core::declarations::Declarations;
use floor_files::report::{Origins, PerChannel, Report, Waits};
use floor_files::report_lang::{Form, Lang, Texts};
use floor_files::suppress::Shown;
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
const LEGACY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/ws235-legacy.jsonl"
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
            source: None,
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

/// The session, second by second from `T`, the moment the floor opens:
/// its log and the genders declared beside it.
fn simulate() -> (Vec<RoomEvent>, Declarations) {
    let mut s = Session::new();
    let t = s.now_ms + 100_000;
    // `run` moves the clock 1 s forward before each command.
    let at = |s: &mut Session, second: u64| s.now_ms = t + second * 1000 - 1000;
    let programme =
        floor_files::programme::parse(include_str!("../../../examples/igf2018-ws235.toml"))
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
    s.merge(dup, carla);
    // The online moderator counts the remote audience now and then.
    let audience = |s: &mut Session, second, count| {
        at(s, second);
        s.run(&moderator(), Command::SetRemoteAudience { count })
            .unwrap();
    };
    let next = |s: &mut Session, second| {
        at(s, second);
        s.run(&chair(), Command::next()).unwrap();
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
    s.run(&chair(), Command::call(bo)).unwrap();
    at(&mut s, 450);
    s.run(&chair(), Command::Pin { entry_id: eva }).unwrap();
    at(&mut s, 480);
    s.run(&chair(), Command::finish()).unwrap();
    next(&mut s, 500); // Eva, pinned
    at(&mut s, 600);
    s.run(&chair(), Command::finish()).unwrap();
    (s.log, s.declared)
}

fn recorded() -> Vec<RoomEvent> {
    read(FIXTURE)
}

fn read(path: &str) -> Vec<RoomEvent> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn the_fixture_is_the_recording_of_the_script() {
    let (log, _) = simulate();
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
    let (_, declared) = simulate();
    let report = Report::from_log("IGF 2018 WS #235", &log, &declared).unwrap();
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
    // Amina and Bo by the runner; Carla, Dev, Fay and Carla R. by the
    // online moderator; Eva from her participant page.
    assert_eq!(
        report.requests_by_origin,
        Origins {
            room: 2,
            moderator: 4,
            participant: 1,
            matrix: 0,
        }
    );
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
    // Fay's rejection and Carla R.'s merge were both online.
    assert_eq!((q.merged, q.rejected, q.withdrawn), (1, 1, 0));
    {
        use floor_files::report::Outcome::*;
        assert_eq!(
            outcomes(&report),
            [
                ("Amina Diallo", Spoke),
                ("Bo Chen", Spoke),
                ("Carla Ruiz", Spoke),
                ("Dev Patel", Spoke),
                ("Eva Novak", Spoke),
                ("Fay Wong", Rejected),
                ("Carla R.", Merged),
            ]
        );
    }
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
    // Dev, Fay and Carla R. gave none. Every figure is below 5, so none
    // is published; hidden all together, the declared total (4) and not
    // given (3) can each be 3 or 4, so nothing can be worked out.
    let genders = &report.genders;
    assert_eq!(
        (declared.get(Gender::Woman), declared.get(Gender::Man)),
        (2, 1)
    );
    assert!(!genders.withheld);
    assert!(genders.declared.values().all(Option::is_none));
    assert_eq!((genders.declared_total, genders.not_given), (None, None));
    assert_eq!(genders.hidden.len(), 6);
    assert!(
        genders
            .hidden
            .values()
            .all(|h| *h == Shown::FewerThanThreshold)
    );
    assert_eq!(
        plain(&genders.sentence(&Texts::new(Lang::En, Form::Text))),
        "Declared with fewer than 5 of 7 requests: another: fewer than 5, man: fewer than 5, \
         non-binary: fewer than 5, woman: fewer than 5; not given: fewer than 5. Totals only, \
         no one is named, and no count below 5 is published."
    );
    // The queue: its longest was 2 in the room and 4 online, at 90 s
    // (Carla R. in, before the merge); empty at the end.
    let peak = report.queue.iter().map(|p| p.onsite + p.online).max();
    assert_eq!(peak, Some(6));
    let last = report.queue.last().unwrap();
    assert_eq!((last.onsite, last.online), (0, 0));
}

#[test]
fn a_legacy_recording_gives_the_same_report_its_declarations_counted() {
    let legacy = read(LEGACY);
    assert_eq!(
        legacy
            .iter()
            .filter(|e| e.event.name() == "gender_declared")
            .count(),
        4
    );
    let (log, declared) = simulate();
    assert_eq!(
        Report::from_events("IGF 2018 WS #235", &legacy).unwrap(),
        Report::from_log("IGF 2018 WS #235", &log, &declared).unwrap()
    );
}

#[test]
fn the_report_publishes_large_counts_and_hides_the_small_ones() {
    // Twenty requests: 8 women, 6 men, 6 with none given.
    let mut s = Session::new();
    let genders = [(Gender::Woman, 8), (Gender::Man, 6)];
    let mut i = 0;
    for (gender, n) in genders {
        for _ in 0..n {
            i += 1;
            let command = entry(
                Channel::Onsite,
                Kind::Question,
                Person::named(format!("P{i}")),
            );
            s.run(&runner(), declaring(command, gender)).unwrap();
        }
    }
    for _ in 0..6 {
        i += 1;
        let command = entry(
            Channel::Onsite,
            Kind::Question,
            Person::named(format!("P{i}")),
        );
        s.run(&runner(), command).unwrap();
    }
    let report = Report::from_log("t", &s.log, &s.declared).unwrap();
    let g = &report.genders;
    // Non-binary and another (0 each) are small; with the declared total
    // (14) published both would be 14 - 8 - 6 = 0, so men (6, the smaller
    // of the two that can protect them) are hidden as well: men plus the
    // two small counts make 6, men at least 5.
    let shown: Vec<(&str, Option<u64>)> =
        g.declared.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        shown,
        [
            ("another", None),
            ("man", None),
            ("non_binary", None),
            ("woman", Some(8))
        ]
    );
    assert_eq!((g.declared_total, g.not_given), (Some(14), Some(6)));
    assert_eq!(g.hidden["man"], Shown::ProtectsSmaller);
    assert_eq!(g.hidden["non_binary"], Shown::FewerThanThreshold);
    let json = serde_json::to_value(g).unwrap();
    assert_eq!(json["threshold"], 5);
    assert_eq!(json["hidden"]["man"], "protects_smaller");
    assert_eq!(json["hidden"]["another"], "fewer_than_threshold");
    let csv = report.csv();
    assert!(csv.contains("\ngender declared,woman,,,8\n"), "{csv}");
    assert!(
        csv.contains("\ngender declared,man,,,5 or more (hidden)\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\ngender declared,non_binary,,,fewer than 5\n"),
        "{csv}"
    );
    assert!(csv.contains("\ngender declared,total,,,14\n"), "{csv}");
    assert!(csv.contains("\ngender declared,not given,,,6\n"), "{csv}");
    let md = report.markdown();
    assert!(
        md.contains("Declared with 14 of 20 requests: another: fewer than 5, man: 5 or more (hidden), non-binary: fewer than 5, woman: 8; not given: 6."),
        "{md}"
    );
}

#[test]
fn a_hostile_name_stays_one_cell_that_no_spreadsheet_runs() {
    let mut s = Session::new();
    let names = [
        "x,=2+5",
        "=HYPERLINK(\"http://evil\")",
        "  @SUM(A1)",
        "\t-1",
    ];
    for name in names {
        let id = s.add(&runner(), Channel::Onsite, name);
        s.run(&chair(), Command::Pin { entry_id: id }).unwrap();
    }
    let mut report = Report::from_events("t", &s.log).unwrap();
    // A name alone in a cell, as a row's item could be.
    report
        .requests_by_group
        .insert("=1+1".into(), PerChannel::default());
    let csv = report.csv();
    let mut reader = csv_reader(&csv);
    let mut items = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(record.len(), 5, "{record:?}");
        for cell in record.iter() {
            assert!(
                !cell.trim_start().starts_with(['=', '+', '-', '@'])
                    && !cell.starts_with(['\t', '\r']),
                "{cell:?} in {csv}"
            );
        }
        items.push(record[1].to_owned());
    }
    for name in names {
        // Names are stored trimmed.
        let item = format!("pin {} (onsite)", name.trim());
        assert!(items.contains(&item), "{item:?} in {items:?}");
    }
    assert!(items.contains(&"'=1+1".to_owned()), "{items:?}");
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes())
}

/// An undone call is listed among the chair's overrides and counts no
/// turn: the report is that of the session without the mistaken call,
/// but for the override and the queue's brief change.
#[test]
fn an_undone_call_counts_no_turn() {
    let run = |mistake: bool| {
        let mut s = Session::new();
        let t = s.now_ms;
        let at = |s: &mut Session, second: u64| s.now_ms = t + second * 1000;
        at(&mut s, 0);
        s.hand("Amina Diallo");
        s.remote("Mei Lin Tan");
        at(&mut s, 10);
        s.run(&chair(), Command::next()).unwrap();
        if mistake {
            at(&mut s, 70);
            s.run(&chair(), Command::next()).unwrap();
            at(&mut s, 71);
            s.run(
                &chair(),
                Command::UndoCall {
                    expect_speaking: None,
                },
            )
            .unwrap();
        }
        at(&mut s, 130);
        s.run(&chair(), Command::finish()).unwrap();
        Report::from_events("Undo", &s.log).unwrap()
    };
    let (undone, clean) = (run(true), run(false));
    assert_eq!(undone.turns, clean.turns);
    assert_eq!(undone.turns_by_kind, clean.turns_by_kind);
    assert_eq!(undone.turns_by_group, clean.turns_by_group);
    assert_eq!(undone.turns_by_region, clean.turns_by_region);
    assert_eq!(undone.online_questions, clean.online_questions);
    assert_eq!(undone.speaking_ms, clean.speaking_ms);
    assert_eq!(undone.speaking_ms.onsite, 120_000);
    assert_eq!(undone.waiting_onsite, clean.waiting_onsite);
    assert_eq!(undone.waiting_online, clean.waiting_online);
    assert_eq!(clean.overrides, []);
    assert_eq!(undone.overrides.len(), 1);
    assert_eq!(undone.overrides[0].action, "undo_call");
    assert_eq!(undone.overrides[0].name, "Mei Lin Tan");
    assert!(undone.markdown().contains("call undone"));
}
