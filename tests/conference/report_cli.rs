//! `floor report --conference`: the event's participation report asked
//! of a running broker, with the admin or the `ops` token, written to
//! standard output or to a file.

use std::process::{Command, Output};

use floor_tests::*;
use serde_json::json;

fn floor_report(floor: &Floor, token: &str, args: &[&str]) -> Output {
    Command::new(floor_bin())
        .args(["report", "--conference", "--server", &floor.http_url()])
        .args(args)
        .env("FLOOR_ADMIN_TOKEN", token)
        .output()
        .unwrap()
}

fn programme() -> serde_json::Value {
    json!({"sessions": [
        {
            "id": "ws1",
            "uid": "WS1@example.org",
            "title": "WS #1",
            "starts_at_ms": 1_796_202_000_000_u64,
            "ends_at_ms": 1_796_207_400_000_u64,
            "location": "Salle XI",
            "kind": "Workshop",
            "time_zone": "Europe/Paris"
        },
        {
            "id": "of1",
            "uid": "OF1@example.org",
            "title": "=Open forum",
            "starts_at_ms": 1_796_288_400_000_u64,
            "ends_at_ms": 1_796_292_000_000_u64,
            "location": "Salle IV"
        }
    ]})
}

#[tokio::test]
async fn the_event_s_report_is_fetched_with_the_admin_or_the_ops_token() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));

    // No programme yet: the broker's refusal is the command's error.
    let none = floor_report(&floor, ADMIN, &[]);
    assert!(!none.status.success());
    let err = String::from_utf8_lossy(&none.stderr);
    assert!(
        err.contains("refused (404") && err.contains("no programme"),
        "{err}"
    );

    let (status, body) = floor
        .http("PUT", "/api/conference", ADMIN, Some(programme()))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = floor
        .http("POST", "/api/conference/ops-token", ADMIN, None)
        .await;
    assert_eq!(status, 200, "{body}");
    let ops = body["token"].as_str().unwrap().to_owned();

    // Markdown by default, on standard output.
    let md = floor_report(&floor, ADMIN, &[]);
    assert!(
        md.status.success(),
        "{}",
        String::from_utf8_lossy(&md.stderr)
    );
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.starts_with("# Event participation report\n"), "{md}");
    assert!(md.ends_with('\n'));

    // JSON with the ops token: two sessions, no turn yet.
    let fetched = floor_report(&floor, &ops, &["--format", "json"]);
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&fetched.stdout).unwrap();
    assert_eq!(report["totals"]["sessions"], 2);
    assert_eq!(report["sessions"][0]["id"], "ws1");
    assert_eq!(report["sessions"][0]["day"], "2026-12-02");
    assert_eq!(report["totals"]["online_turn_share_pct"], json!(null));

    // CSV to a file; a title a spreadsheet could run is made text.
    let out = dir.path().join("event.csv");
    let written = floor_report(
        &floor,
        ADMIN,
        &["--format", "csv", "-o", out.to_str().unwrap()],
    );
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("id,title,type,location,"), "{csv}");
    assert!(
        csv.contains("of1,'=Open forum,,Salle IV,UTC,2026-12-03,"),
        "{csv}"
    );

    // In French; another token is refused.
    let fr = floor_report(&floor, ADMIN, &["--lang", "fr"]);
    let fr = String::from_utf8(fr.stdout).unwrap();
    assert!(
        fr.starts_with("# Rapport de participation de l'événement\n"),
        "{fr}"
    );
    let refused = floor_report(&floor, "not-a-token", &[]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("refused (401") && err.contains("ops token"),
        "{err}"
    );

    // A room id with --conference is refused by the command line.
    let both = floor_report(&floor, ADMIN, &["ws1"]);
    assert!(!both.status.success());
}
