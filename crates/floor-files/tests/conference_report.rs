//! The event's participation report: every figure of three hand-made
//! sessions (one with no turn, one whose local day is not its UTC day),
//! worked out by hand; one session's report folded from a recorded log;
//! and the report's four forms.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_files::Lang;
use floor_files::conference_report::{ConferenceReport, SessionInfo, ShareRow};
use floor_files::conference_report_schema;
use floor_files::report::{PerChannel, Report};
use floor_protocol::RoomEvent;

/// Text without the isolation marks around user content.
fn plain(text: &str) -> String {
    text.replace(['\u{2068}', '\u{2069}'], "")
}

/// 2026-12-02T09:00:00Z (10:00 in Paris).
const DEC_2_9H: u64 = 1_796_202_000_000;
const HOUR: u64 = 3_600_000;

fn pc(onsite: u64, online: u64) -> PerChannel {
    PerChannel { onsite, online }
}

fn info(
    id: &str,
    title: &str,
    kind: &str,
    location: &str,
    start: u64,
    zone: Option<&str>,
) -> SessionInfo {
    SessionInfo {
        id: id.into(),
        title: title.into(),
        kind: kind.into(),
        location: location.into(),
        starts_at_ms: start,
        ends_at_ms: start + 90 * 60_000,
        time_zone: zone.map(str::to_owned),
    }
}

/// A report with these figures and nothing else.
fn report(
    requests: PerChannel,
    turns: PerChannel,
    medians: (Option<u64>, Option<u64>),
    audience: Option<u32>,
) -> Report {
    let mut r = Report::from_events("x", &[]).unwrap();
    r.requests = requests;
    r.turns = turns;
    r.waiting_onsite.count = turns.onsite as usize;
    r.waiting_onsite.median_ms = medians.0;
    r.waiting_online.count = turns.online as usize;
    r.waiting_online.median_ms = medians.1;
    r.remote_audience_peak = audience;
    r
}

/// A workshop in Salle XI on 2 December (Paris); an open forum in Salle
/// IV at 00:30 on 3 December in Paris (23:30 UTC on the 2nd); a session
/// of no type, in Salle XI on 3 December (UTC), that gave no turn. Given
/// out of order.
fn sessions() -> Vec<(SessionInfo, Report)> {
    vec![
        (
            info(
                "none",
                "Side meeting",
                "",
                "Salle XI",
                DEC_2_9H + 25 * HOUR,
                None,
            ),
            report(pc(0, 1), pc(0, 0), (None, None), None),
        ),
        (
            info(
                "of1",
                "OF #1",
                "Open Forum",
                "Salle IV",
                DEC_2_9H + 14 * HOUR + HOUR / 2,
                Some("Europe/Paris"),
            ),
            report(pc(1, 4), pc(1, 3), (Some(30_000), Some(90_000)), Some(12)),
        ),
        (
            info(
                "ws1",
                "WS #1",
                "Workshop",
                "Salle XI",
                DEC_2_9H,
                Some("Europe/Paris"),
            ),
            report(pc(3, 2), pc(2, 2), (Some(60_000), Some(120_000)), Some(40)),
        ),
    ]
}

fn share(key: &str, sessions: u64, turns: PerChannel, pct: Option<f64>) -> ShareRow {
    ShareRow {
        key: key.into(),
        sessions,
        turns,
        online_turn_share_pct: pct,
    }
}

#[test]
fn every_figure_of_three_sessions_is_the_one_worked_out_by_hand() {
    let r = ConferenceReport::new(sessions());
    // By start: ws1 (09:00Z on the 2nd), of1 (23:30Z), none (10:00Z on the 3rd).
    let ids: Vec<&str> = r.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["ws1", "of1", "none"]);
    let [ws1, of1, none] = [&r.sessions[0], &r.sessions[1], &r.sessions[2]];
    assert_eq!(
        (ws1.day.as_str(), ws1.time_zone.as_str()),
        ("2026-12-02", "Europe/Paris")
    );
    // 23:30 UTC is 00:30 the next day in Paris.
    assert_eq!(of1.day, "2026-12-03");
    assert_eq!(
        (none.day.as_str(), none.time_zone.as_str()),
        ("2026-12-03", "UTC")
    );
    assert_eq!((ws1.requests, ws1.turns), (pc(3, 2), pc(2, 2)));
    assert_eq!(ws1.online_turn_share_pct, Some(50.0));
    assert_eq!(of1.online_turn_share_pct, Some(75.0));
    assert_eq!(none.online_turn_share_pct, None);
    assert_eq!(
        (ws1.median_wait_onsite_ms, ws1.median_wait_online_ms),
        (Some(60_000), Some(120_000))
    );
    assert_eq!(
        (of1.median_wait_onsite_ms, of1.median_wait_online_ms),
        (Some(30_000), Some(90_000))
    );
    assert_eq!(
        (none.median_wait_onsite_ms, none.median_wait_online_ms),
        (None, None)
    );
    assert_eq!(
        [
            ws1.remote_audience_peak,
            of1.remote_audience_peak,
            none.remote_audience_peak
        ],
        [Some(40), Some(12), None]
    );
    assert_eq!(
        (ws1.starts_at_ms, ws1.ends_at_ms),
        (DEC_2_9H, DEC_2_9H + 90 * 60_000)
    );
    assert_eq!(none.kind, "");

    let t = &r.totals;
    assert_eq!((t.sessions, t.sessions_with_turns), (3, 2));
    assert_eq!(t.requests, pc(4, 7));
    assert_eq!(t.turns, pc(3, 5));
    assert_eq!(t.online_turn_share_pct, Some(62.5));

    assert_eq!(
        r.by_day,
        [
            share("2026-12-02", 1, pc(2, 2), Some(50.0)),
            share("2026-12-03", 2, pc(1, 3), Some(75.0)),
        ]
    );
    assert_eq!(
        r.by_kind,
        [
            share("", 1, pc(0, 0), None),
            share("Open Forum", 1, pc(1, 3), Some(75.0)),
            share("Workshop", 1, pc(2, 2), Some(50.0)),
        ]
    );
    assert_eq!(
        r.by_location,
        [
            share("Salle IV", 1, pc(1, 3), Some(75.0)),
            share("Salle XI", 2, pc(2, 2), Some(50.0)),
        ]
    );
}

#[test]
fn an_archived_session_left_out_by_the_caller_counts_nowhere() {
    // The broker passes only the sessions still in the programme: leaving
    // out the open forum takes it out of every figure.
    let kept: Vec<_> = sessions()
        .into_iter()
        .filter(|(i, _)| i.id != "of1")
        .collect();
    let r = ConferenceReport::new(kept);
    assert_eq!(r.sessions.len(), 2);
    assert_eq!((r.totals.requests, r.totals.turns), (pc(3, 3), pc(2, 2)));
    assert_eq!(r.totals.online_turn_share_pct, Some(50.0));
    assert_eq!(r.by_day[1], share("2026-12-03", 1, pc(0, 0), None));
    assert!(r.by_location.iter().all(|s| s.key != "Salle IV"));
}

#[test]
fn an_event_with_no_turn_has_no_share() {
    let r = ConferenceReport::new(vec![sessions().remove(0)]);
    assert_eq!(r.totals.turns, pc(0, 0));
    assert_eq!((r.totals.sessions, r.totals.sessions_with_turns), (1, 0));
    assert_eq!(r.totals.online_turn_share_pct, None);
    assert!(plain(&r.markdown()).contains("Online share of all turns: –."));
    assert!(
        ConferenceReport::new(Vec::new())
            .markdown()
            .contains("No session in the programme.")
    );
}

fn recorded() -> Vec<RoomEvent> {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/ws235-session.jsonl"
    );
    std::fs::read_to_string(fixture)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn a_session_s_row_takes_its_figures_from_its_folded_log() {
    let folded = Report::from_events("WS #235", &recorded()).unwrap();
    let mut all = sessions();
    all.push((
        info(
            "ws235",
            "WS #235",
            "Workshop",
            "Salle XI",
            DEC_2_9H + HOUR,
            Some("Europe/Paris"),
        ),
        folded.clone(),
    ));
    let r = ConferenceReport::new(all);
    let row = r.sessions.iter().find(|s| s.id == "ws235").unwrap();
    assert_eq!((row.requests, row.turns), (folded.requests, folded.turns));
    assert!(folded.turns.total() > 0 && folded.turns.online > 0);
    assert_eq!(row.median_wait_onsite_ms, folded.waiting_onsite.median_ms);
    assert_eq!(row.median_wait_online_ms, folded.waiting_online.median_ms);
    assert_eq!(row.remote_audience_peak, folded.remote_audience_peak);
    let turns = pc(3 + folded.turns.onsite, 5 + folded.turns.online);
    assert_eq!(r.totals.turns, turns);
    let workshop = r.by_kind.iter().find(|s| s.key == "Workshop").unwrap();
    assert_eq!(workshop.sessions, 2);
    assert_eq!(
        workshop.turns,
        pc(2 + folded.turns.onsite, 2 + folded.turns.online)
    );
}

#[test]
fn the_markdown_form_lists_every_figure() {
    let md = plain(&ConferenceReport::new(sessions()).markdown());
    assert!(md.starts_with("# Event participation report\n"), "{md}");
    assert!(md.contains("Sessions in the programme: 3; with at least one turn: 2. Online share of all turns: 62.5%."), "{md}");
    assert!(md.contains("| Turns | 3 | 5 | 8 |"), "{md}");
    assert!(md.contains("| 2026-12-03 | 2 | 1 | 3 | 75.0% |"), "{md}");
    assert!(md.contains("| Not given | 1 | 0 | 0 | – |"), "{md}");
    assert!(md.contains("| Salle XI | 2 | 2 | 2 | 50.0% |"), "{md}");
    assert!(md.contains("| WS #1 | 2026-12-02 | 10:00–11:30 | Workshop | Salle XI | 3 | 2 | 2 | 2 | 50.0% | 1:00 | 2:00 | 40 |"), "{md}");
    assert!(
        md.contains("| OF #1 | 2026-12-03 | 00:30–02:00 | Open Forum | Salle IV |"),
        "{md}"
    );
    let fr = plain(&ConferenceReport::new(sessions()).markdown_in(Lang::Fr));
    assert!(fr.contains("62,5\u{a0}%"), "{fr}");
}

#[test]
fn the_csv_form_is_one_row_per_session_safe_for_spreadsheets() {
    let mut all = sessions();
    all[2].0.title = "=HYPERLINK(\"x\")".into();
    let csv = ConferenceReport::new(all).csv();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader
            .headers()
            .unwrap()
            .iter()
            .collect::<Vec<_>>()
            .join(","),
        "id,title,type,location,time_zone,day,start,end,requests_onsite,requests_online,turns_onsite,turns_online,online_turn_share_pct,median_wait_onsite_ms,median_wait_online_ms,remote_audience_peak"
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0].join(","),
        "ws1,'=HYPERLINK(\"x\"),Workshop,Salle XI,Europe/Paris,2026-12-02,10:00,11:30,3,2,2,2,50.0,60000,120000,40"
    );
    assert_eq!(
        rows[2].join(","),
        "none,Side meeting,,Salle XI,UTC,2026-12-03,10:00,11:30,0,1,0,0,,,,"
    );
}

#[test]
fn the_html_form_prints_on_a4_with_three_charts_in_every_language() {
    let mut all = sessions();
    all[1].0.location = "<Salle IV>".into();
    let report = ConferenceReport::new(all);
    for lang in Lang::ALL {
        let html = report.html_in(lang).unwrap();
        assert!(html.contains(&format!(
            "<html lang=\"{}\" dir=\"{}\">",
            lang.code(),
            lang.dir()
        )));
        assert!(html.contains("@page { size: A4;"));
        // The bars' labels run away from the bars right to left too.
        assert!(html.contains("figure svg { direction: ltr; }"));
        assert_eq!(html.matches("<svg role=\"img\"").count(), 3, "{lang}");
        assert!(!html.contains("<Salle IV>"), "{lang}: unescaped");
        assert!(html.contains("<bdi>&lt;Salle IV&gt;</bdi>"), "{lang}");
        assert!(!html.contains("{conf-"), "{lang}: a message is missing");
    }
    let html = report.html().unwrap();
    assert!(html.contains("aria-label=\"Online share of turns, by location\""));
    // A group people named is kept apart in its label (SVG text holds no
    // <bdi>).
    assert!(
        html.contains("\u{2068}Workshop\u{2069}: 50.0% (2/4)"),
        "the bar's label"
    );
    assert!(
        html.contains("\u{2068}Not given\u{2069}: no turn"),
        "the empty group's label"
    );
    // French puts a no-break space before the colon.
    let french = report.html_in(Lang::Fr).unwrap();
    assert!(
        french.contains("\u{2068}Workshop\u{2069}\u{a0}: 50,0"),
        "the French bar's label"
    );
}

#[test]
fn conference_report_schema_is_fresh() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../protocol/schema")
        .join(conference_report_schema::FILE);
    let generated = floor_protocol::schema::to_text(&conference_report_schema::schema());
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        if std::env::var_os("FLOOR_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).unwrap();
        } else {
            panic!(
                "protocol/schema/{} is stale; run `FLOOR_UPDATE_SCHEMA=1 cargo test -p floor-files --test conference_report` and commit the result",
                conference_report_schema::FILE
            );
        }
    }
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let instance = serde_json::to_value(ConferenceReport::new(sessions())).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
