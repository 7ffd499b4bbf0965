//! Attendance and declared genders against the real broker: the broker
//! counts the participant pages connected per channel and logs each new
//! peak; no client may record attendance itself; the peak survives a
//! restart and reaches the session report, with the gender totals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_tests::*;
use serde_json::json;

#[tokio::test]
async fn participant_pages_are_counted_per_channel_and_each_peak_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("plenary").await;
    let mut display = Client::connect(&floor, tokens.hello("display", "projector")).await;

    let mut onsite = Vec::new();
    for i in 0..3 {
        onsite.push(
            Client::connect(&floor, tokens.participant(&format!("hall-{i}"), "onsite")).await,
        );
    }
    let mut online = Vec::new();
    for i in 0..2 {
        online.push(
            Client::connect(&floor, tokens.participant(&format!("remote-{i}"), "online")).await,
        );
    }
    // Screens that are not participant pages are not counted.
    let mut chair = Client::connect(&floor, tokens.hello("chair", "chair-laptop")).await;
    wait_for_attendance_peak(&mut display, (3, 2)).await;

    // No client records attendance, not even the chair.
    let answer = chair
        .command(
            "fake-attendance",
            json!({"type": "record_attendance", "connected": {"onsite": 900, "online": 900}}),
        )
        .await;
    refused(answer, "forbidden");

    // Two leave the hall, two more join online: the online peak rises to
    // 4; the hall's peak stays 3.
    onsite.truncate(1);
    for i in 2..4 {
        online.push(
            Client::connect(&floor, tokens.participant(&format!("remote-{i}"), "online")).await,
        );
    }
    wait_for_attendance_peak(&mut display, (3, 4)).await;

    // A participant declares a gender with their request; only the totals
    // reach the report.
    let mut request = submit("online", "Eva Novak");
    request["entry"]["gender"] = json!("non_binary");
    let answer = online[0].command("eva-1", request).await;
    acked(answer);

    drop((onsite, online, chair, display));
    floor.restart();
    let state = floor.room_state(&tokens).await;
    let kept = state
        .view()
        .attendance_peak
        .expect("the peak is in the log");
    assert_eq!((kept.onsite, kept.online), (3, 4));

    let (status, report) = floor
        .http(
            "GET",
            "/api/rooms/plenary/report?format=json",
            tokens.role("chair"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["attendance_peak"], json!({"onsite": 3, "online": 4}));
    // One request, one declaration: every figure is below 5 and hidden
    // (tests/privacy.rs has exact totals).
    let genders = &report["genders"];
    assert_eq!(genders["declared"]["non_binary"], json!(null), "{report}");
    assert_eq!(genders["declared_total"], json!(null), "{report}");
    assert_eq!(genders["hidden"]["non_binary"], "fewer_than_threshold");
}
