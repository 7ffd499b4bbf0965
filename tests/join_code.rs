//! The join code: typed at `/join`, it opens the room's participant page;
//! it rotates with the participant token; a code that opens nothing is
//! one answer and a failed guess; it survives a restart and every broker
//! of the shared store resolves it. Also the broker's small pages: `/`,
//! `/favicon.ico`, and `/metrics` read by an OpenMetrics parser.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use floor_broker::limits::{FAILURE_BURST, FAILURE_DELAY};
use floor_tests::nats::Nats;
use floor_tests::*;
use serde_json::json;

/// What `POST /join` answered: status, `Location`, body.
struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

/// Types `typed` into the join form of `floor` (without following the
/// redirect).
async fn type_code(floor: &Floor, typed: &str) -> Answer {
    let url = format!("{}/join", floor.http_url());
    let typed = typed.to_owned();
    tokio::task::spawn_blocking(move || {
        let agent = floor_tests::http_agent_seeing_redirects();
        let response = agent
            .post(&url)
            .send_form([("code", typed.as_str())])
            .unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.into_body().read_to_string().unwrap();
        Answer {
            status,
            location,
            body,
        }
    })
    .await
    .unwrap()
}

/// The room's join code (`ABCD-EFGH`), as its display reads it.
async fn code_of(floor: &Floor, tokens: &Tokens) -> String {
    let path = format!("/api/rooms/{}/join-code", tokens.room);
    let (status, body) = floor.http("GET", &path, tokens.role("display"), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["join_url"], format!("{}/join", floor.http_url()));
    assert_eq!(body["link"], tokens.link(floor, "participant"));
    body["code"].as_str().unwrap().to_owned()
}

/// The code as a person might type it: lower case, a space, dashes.
fn sloppy(code: &str) -> String {
    format!(" {}", code.to_lowercase().replace('-', " -- "))
}

/// Asserts that `typed` opens the participant page of `tokens`' room.
async fn opens(floor: &Floor, typed: &str, tokens: &Tokens) {
    let answer = type_code(floor, typed).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        answer.location.as_deref(),
        Some(tokens.link(floor, "participant").as_str())
    );
}

async fn rotate(floor: &Floor, room: &str, roles: &[&str]) -> Tokens {
    let path = format!("/api/rooms/{room}/rotate");
    let (status, body) = floor
        .http("POST", &path, ADMIN, Some(json!({ "roles": roles })))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, all) = floor.http("GET", "/api/rooms", ADMIN, None).await;
    assert!(all.is_array());
    body_tokens(room, &body)
}

/// The tokens of a rotation's answer (only the rotated roles).
fn body_tokens(room: &str, body: &serde_json::Value) -> Tokens {
    Tokens::from_body(room, body["tokens"].clone())
}

#[tokio::test]
async fn a_code_opens_the_participant_page_and_rotates_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let other = floor.create_room("annex").await;
    let code = code_of(&floor, &tokens).await;
    assert_eq!(code.len(), 9, "{code}");
    assert_ne!(code, code_of(&floor, &other).await);
    opens(&floor, &code, &tokens).await;
    opens(&floor, &sloppy(&code), &tokens).await;

    // Another role's rotation keeps the code; the participant's changes it.
    rotate(&floor, "hall", &["chair"]).await;
    assert_eq!(code_of(&floor, &tokens).await, code);
    let fresh = rotate(&floor, "hall", &["participant"]).await;
    let tokens = tokens.with(&fresh);
    let new_code = code_of(&floor, &tokens).await;
    assert_ne!(new_code, code);
    opens(&floor, &new_code, &tokens).await;
    let old = type_code(&floor, &code).await;
    assert_eq!(old.status, 404);
    assert!(
        old.body.contains("No session has this code"),
        "{}",
        old.body
    );
    assert!(!old.body.contains(tokens.role("participant")));

    // What cannot be a code is told so, at once.
    let bad = type_code(&floor, "ABCD-EF01").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("8 letters and digits"), "{}", bad.body);

    // Only the room's tokens (or the admin's) read its code.
    let path = "/api/rooms/hall/join-code";
    let (status, _) = floor.http("GET", path, "wrong", None).await;
    assert_eq!(status, 401);
    let (status, _) = floor.http("GET", path, other.role("display"), None).await;
    assert_eq!(status, 401);
    let (status, body) = floor.http("GET", path, ADMIN, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (200, Some(new_code.as_str()))
    );
}

#[tokio::test]
async fn codes_that_open_nothing_are_answered_alike_and_slowed_as_guesses() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let rotated = code_of(&floor, &tokens).await;
    let tokens = tokens.with(&rotate(&floor, "hall", &["participant"]).await);
    let code = code_of(&floor, &tokens).await;
    let never = if code.starts_with("ZZ") {
        "YYYY-YYYY"
    } else {
        "ZZZZ-ZZZZ"
    };

    // A rotated code and one never issued: the same answer, byte for byte.
    let (a, b) = (
        type_code(&floor, &rotated).await,
        type_code(&floor, never).await,
    );
    assert_eq!((a.status, &a.body), (b.status, &b.body));
    assert_eq!((a.status, a.location), (404, None));

    // The rest of the burst is answered at once, then a guess waits out
    // the delay while the right code from the same address goes through.
    for i in 2..FAILURE_BURST {
        let started = Instant::now();
        let typed = if i % 2 == 0 { &rotated } else { never };
        assert_eq!(type_code(&floor, typed).await.status, 404);
        assert!(started.elapsed() < FAILURE_DELAY / 2);
    }
    let late = {
        let url = floor.http_url();
        let never = never.to_owned();
        tokio::spawn(async move {
            let started = Instant::now();
            let status = tokio::task::spawn_blocking(move || {
                let agent = floor_tests::http_agent();
                let form = [("code", never.as_str())];
                let response = agent.post(format!("{url}/join")).send_form(form);
                response.unwrap().status().as_u16()
            })
            .await
            .unwrap();
            (status, started.elapsed())
        })
    };
    let started = Instant::now();
    opens(&floor, &code, &tokens).await;
    assert!(started.elapsed() < FAILURE_DELAY / 2);
    let (status, took) = late.await.unwrap();
    assert_eq!(status, 404);
    assert!(
        took >= FAILURE_DELAY - Duration::from_millis(50),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_code_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let code = code_of(&floor, &tokens).await;
    floor.restart();
    assert_eq!(code_of(&floor, &tokens).await, code);
    opens(&floor, &code, &tokens).await;
    let tokens = tokens.with(&rotate(&floor, "hall", &["participant"]).await);
    let code = code_of(&floor, &tokens).await;
    floor.restart();
    opens(&floor, &code, &tokens).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_broker_of_the_shared_store_resolves_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let servers = nats.urls();
    let a = Floor::start_with(&dir.path().join("a"), &["--store", &servers]);
    let b = Floor::start_with(&dir.path().join("b"), &["--store", &servers]);
    let tokens = a.create_room("hall").await;
    let code = code_of(&a, &tokens).await;
    // B has never served the room: the code alone finds it.
    let answer = type_code(&b, &sloppy(&code)).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let link = answer.location.unwrap();
    assert!(link.ends_with(&format!(
        "/r/hall/join#token={}",
        tokens.role("participant")
    )));

    // Rotated through B: A resolves the new code and not the old one.
    let tokens = tokens.with(&rotate(&b, "hall", &["participant"]).await);
    let new_code = code_of(&b, &tokens).await;
    assert_ne!(new_code, code);
    let answer = type_code(&a, &new_code).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let link = answer.location.unwrap();
    assert!(link.ends_with(&format!("#token={}", tokens.role("participant"))));
    assert_eq!(type_code(&a, &code).await.status, 404);
}

/// GET `path` without a token: status, content type, body.
async fn get(floor: &Floor, path: &str) -> (u16, String, String) {
    let url = format!("{}{path}", floor.http_url());
    tokio::task::spawn_blocking(move || {
        let agent = floor_tests::http_agent();
        let response = agent.get(&url).call().unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (
            status,
            content_type,
            response.into_body().read_to_string().unwrap(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_landing_page_icon_and_metrics_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start_with(&dir.path().join("data"), &["--demo"]);
    let (status, content_type, body) = get(&floor, "/").await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    assert!(body.contains("action=\"/join\""), "{body}");
    assert!(body.contains("demo room"), "{body}");
    for (_, link) in floor.demo_links() {
        let token = link.rsplit_once("token=").unwrap().1;
        let token = token.split('&').next().unwrap();
        assert!(!body.contains(token), "a token on /");
    }
    let (status, content_type, body) = get(&floor, "/favicon.ico").await;
    assert_eq!((status, content_type.as_str()), (200, "image/svg+xml"));
    assert!(body.starts_with("<svg"));

    // One command answered: its stages are counted.
    let tokens = floor.create_room("metered").await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner-1")).await;
    let hand = json!({"type": "submit", "entry": {"channel": "onsite", "person": {"name": "Ana"}}});
    assert_eq!(runner.command("hand-1", hand).await["type"], "ack");

    let (status, content_type, text) = get(&floor, "/metrics").await;
    assert_eq!(status, 200);
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let parsed = openmetrics_parser::openmetrics::parse_openmetrics(&text)
        .unwrap_or_else(|e| panic!("not OpenMetrics: {e:?}\n{text}"));
    for counter in ["floor_events_appended", "floor_shared_conflicts"] {
        let family = parsed
            .families
            .get(counter)
            .unwrap_or_else(|| panic!("no {counter} in {text}"));
        assert_eq!(
            family.family_type,
            openmetrics_parser::OpenMetricsType::Counter,
            "{counter}"
        );
    }
    let stages = parsed
        .families
        .get("floor_command_stage_seconds")
        .unwrap_or_else(|| panic!("no floor_command_stage_seconds in {text}"));
    assert_eq!(
        stages.family_type,
        openmetrics_parser::OpenMetricsType::Histogram
    );
    for stage in ["wait", "decide", "store", "answer", "total"] {
        let counted = text.lines().any(|line| {
            line == format!("floor_command_stage_seconds_count{{stage=\"{stage}\"}} 1")
        });
        assert!(counted, "the {stage} stage of one command: {text}");
    }
}
