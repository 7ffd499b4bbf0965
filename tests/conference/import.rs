//! The programme imported, changed, refused; the sheet and the `ops` token.

use std::collections::{BTreeMap, BTreeSet};

use floor_files::conference::{ProgrammeFormat, ProgrammeSession, read_programme};
use floor_tests::*;
use serde_json::json;

use crate::{conference, fixture, import, listed, sheet_links, sheet_tokens};

/// A fixture programme, read, by room id.
pub(crate) fn sessions_of(name: &str) -> BTreeMap<String, ProgrammeSession> {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let format = ProgrammeFormat::from_path(&fixture(name)).unwrap();
    read_programme(&text, format)
        .unwrap()
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect()
}

/// What changed from one fixture to the other, as the import should say:
/// (created, changed with their fields, gone).
pub(crate) fn expected_changes(
    before: &BTreeMap<String, ProgrammeSession>,
    after: &BTreeMap<String, ProgrammeSession>,
) -> (
    BTreeSet<String>,
    BTreeMap<String, Vec<String>>,
    BTreeSet<String>,
) {
    let created = after
        .keys()
        .filter(|id| !before.contains_key(*id))
        .cloned()
        .collect();
    let gone = before
        .keys()
        .filter(|id| !after.contains_key(*id))
        .cloned()
        .collect();
    let mut changed = BTreeMap::new();
    for (id, new) in after {
        let Some(old) = before.get(id) else { continue };
        let mut fields = Vec::new();
        if old.title != new.title {
            fields.push("title".to_owned());
        }
        if old.starts_at != new.starts_at {
            fields.push("starts_at_ms".to_owned());
        }
        if old.ends_at != new.ends_at {
            fields.push("ends_at_ms".to_owned());
        }
        if old.location != new.location {
            fields.push("location".to_owned());
        }
        if !fields.is_empty() {
            changed.insert(id.clone(), fields);
        }
    }
    (created, changed, gone)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_programme_is_imported_then_changed_and_every_link_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let mut floor = Floor::start(dir.path());
    let before = sessions_of("igf-programme.ics");
    let after = sessions_of("igf-programme-changed.ics");
    assert!(before.len() >= 60, "{} sessions", before.len());

    // First import: a room per session, each with its type's run of show.
    let printed = import(&floor, "igf-programme.ics");
    assert!(
        printed.starts_with(&format!("{} created, 0 changed, 0 archived", before.len())),
        "{printed}"
    );
    let sessions = listed(&floor, ADMIN).await;
    assert_eq!(sessions.len(), before.len());
    let locations: BTreeSet<&str> = sessions
        .values()
        .map(|s| s["location"].as_str().unwrap())
        .collect();
    assert_eq!(locations.len(), 8, "{locations:?}");

    // A session that will be renamed, and one that will leave: their staff
    // links from the sheet open them, with the run of show of their type.
    let (created, changed, gone) = expected_changes(&before, &after);
    let renamed = changed
        .iter()
        .find(|(_, fields)| fields.contains(&"title".to_owned()))
        .map(|(id, _)| id.clone())
        .expect("the changed fixture renames a session");
    let removed = gone
        .iter()
        .next()
        .expect("the changed fixture drops a session")
        .clone();
    let tokens = sheet_tokens(&floor, &renamed).await;
    let mut runner = Client::connect(&floor, tokens.hello("runner", "runner-before")).await;
    let snapshot = floor.snapshot(&tokens).await;
    assert!(
        snapshot["room"]["programme"]["phases"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "the room has its type's run of show: {snapshot}"
    );
    let answer = runner
        .command(
            "hand",
            json!({"type": "submit", "entry": {"channel": "onsite", "person": {"name": "Ana"}}}),
        )
        .await;
    assert_eq!(answer["type"], "ack", "{answer}");
    drop(runner);
    let removed_tokens = sheet_tokens(&floor, &removed).await;

    // The changed programme: what the import prints is what changed.
    let printed = import(&floor, "igf-programme-changed.ics");
    let outcome_line = printed.lines().next().unwrap().to_owned();
    assert_eq!(
        outcome_line,
        format!(
            "{} created, {} changed, {} archived, 0 restored, {} unchanged",
            created.len(),
            changed.len(),
            gone.len(),
            before.len() - changed.len() - gone.len()
        ),
        "{printed}"
    );
    for (id, fields) in &changed {
        assert!(
            printed.contains(&format!("changed   {id} ({})", fields.join(", "))),
            "{id}: {fields:?} in\n{printed}"
        );
    }
    for id in &gone {
        assert!(printed.contains(&format!("archived  {id}")), "{printed}");
    }

    // Titles changed, tokens never: the same link opens the renamed room,
    // whose welcome carries the new title, with its state.
    let mut chair = Client::raw(Client::open(&floor).await);
    chair.send(&tokens.hello("chair", "chair-after")).await;
    let welcome = chair.next().await;
    assert_eq!(
        welcome["room"]["title"],
        json!(after[&renamed].title),
        "{welcome}"
    );
    let snapshot = floor.snapshot(&tokens).await;
    assert_eq!(snapshot["room"]["entries"].as_array().unwrap().len(), 1);
    let sessions = listed(&floor, ADMIN).await;
    assert_eq!(sessions[&renamed]["title"], json!(after[&renamed].title));
    assert_eq!(sessions.len(), before.len() + created.len());
    // Archived, not deleted: listed as such, off the sheet, its room and
    // log kept.
    for id in &gone {
        assert_eq!(sessions[id]["archived"], json!(true), "{id}");
    }
    let on_sheet: BTreeSet<String> = sheet_links(&floor)
        .await
        .into_iter()
        .map(|(r, _, _)| r)
        .collect();
    assert!(!on_sheet.contains(&removed));
    assert!(on_sheet.contains(&renamed));
    let (status, _) = floor
        .http(
            "GET",
            &format!("/api/rooms/{removed}"),
            removed_tokens.role("chair"),
            None,
        )
        .await;
    assert_eq!(status, 200, "an archived session's room stays");

    // The same programme again changes nothing; a restart keeps it all.
    let printed = import(&floor, "igf-programme-changed.ics");
    assert!(
        printed.starts_with(&format!(
            "0 created, 0 changed, 0 archived, 0 restored, {}",
            after.len()
        )),
        "{printed}"
    );
    floor.restart();
    let sessions_after_restart = listed(&floor, ADMIN).await;
    assert_eq!(sessions_after_restart, sessions);
    let client = Client::connect(&floor, tokens.hello("chair", "chair-restarted")).await;
    drop(client);
    // The first programme again: the sessions are back from the archive.
    let printed = import(&floor, "igf-programme.ics");
    for id in &gone {
        assert!(printed.contains(&format!("restored  {id}")), "{printed}");
    }
    // The same programme as frab XML, frab JSON and CSV, through the same
    // command: the same sessions, so nothing changes.
    for other in [
        "igf-programme.xml",
        "igf-programme.json",
        "igf-programme.csv",
    ] {
        let printed = import(&floor, other);
        assert!(
            printed.starts_with(&format!(
                "0 created, 0 changed, 0 archived, 0 restored, {} unchanged",
                before.len()
            )),
            "{other}: {printed}"
        );
    }
}

#[tokio::test]
async fn a_bad_programme_is_refused_whole_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(dir.path());
    let session = |id: &str, uid: &str| {
        json!({"id": id, "uid": uid, "title": "A session", "starts_at_ms": 1_542_013_200_000u64,
               "ends_at_ms": 1_542_018_600_000u64, "location": "Room I", "kind": "Workshop"})
    };
    let first = json!({"sessions": [session("ws-1", "ws-1@igf"), session("ws-2", "ws-2@igf")]});
    let (status, body) = floor
        .http("PUT", "/api/conference", ADMIN, Some(first))
        .await;
    assert_eq!(status, 200, "{body}");
    let before = listed(&floor, ADMIN).await;

    let mut late = session("ws-3", "ws-3@igf");
    late["ends_at_ms"] = json!(1_542_013_200_000u64);
    let mut untitled = session("ws-3", "ws-3@igf");
    untitled["title"] = json!("  ");
    let cases = [
        (
            json!({"sessions": [session("ws-1", "a"), session("ws-1", "b")]}),
            400,
            "invalid_field",
        ),
        (
            json!({"sessions": [session("ws-1", "a"), late]}),
            400,
            "invalid_field",
        ),
        (json!({"sessions": [untitled]}), 400, "invalid_field"),
        (
            json!({"sessions": [session("Bad Id", "x")]}),
            400,
            "invalid_field",
        ),
        (json!({"sessions": []}), 400, "invalid_field"),
        (
            json!({"sessions": [session("ws-1", "a")], "extra": 1}),
            400,
            "invalid_message",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = floor
            .http("PUT", "/api/conference", ADMIN, Some(body.clone()))
            .await;
        assert_eq!(
            (got, answer["error"].as_str().unwrap()),
            (status, code),
            "{body}: {answer}"
        );
    }
    // A room outside the conference keeps its id.
    floor.create_room("taken").await;
    let (status, answer) = floor
        .http(
            "PUT",
            "/api/conference",
            ADMIN,
            Some(json!({"sessions": [session("taken", "t")]})),
        )
        .await;
    assert_eq!(
        (status, answer["error"].clone()),
        (409, json!("room_exists")),
        "{answer}"
    );
    // Without the admin token.
    let (status, _) = floor
        .http(
            "PUT",
            "/api/conference",
            "wrong",
            Some(json!({"sessions": [session("ws-9", "9")]})),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(listed(&floor, ADMIN).await, before, "nothing changed");
}

#[tokio::test]
async fn the_ops_token_sees_the_conference_and_changes_nothing_and_rotations_reach_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(dir.path());
    import(&floor, "igf-programme.ics");
    let (ok, out, err) = conference(&floor, &["ops-token"]);
    assert!(ok, "{err}");
    let ops = out
        .lines()
        .find_map(|l| l.strip_prefix("ops token (shown once): "))
        .unwrap()
        .to_owned();
    assert!(out.contains("/conference#token="), "{out}");
    assert_eq!(listed(&floor, &ops).await, listed(&floor, ADMIN).await);
    let body = json!({"sessions": []});
    for (method, path, body) in [
        ("PUT", "/api/conference", Some(body)),
        ("GET", "/api/conference/sheet", None),
        ("POST", "/api/conference/ops-token", None),
        ("GET", "/api/rooms", None),
    ] {
        let (status, answer) = floor.http(method, path, &ops, body).await;
        assert_eq!(status, 401, "{method} {path}: {answer}");
    }

    // A rotated chair token: the sheet prints the new link.
    let (room, _, _) = sheet_links(&floor).await.into_iter().next().unwrap();
    let old = sheet_tokens(&floor, &room).await;
    let (status, rotated) = floor
        .http(
            "POST",
            &format!("/api/rooms/{room}/rotate"),
            ADMIN,
            Some(json!({"roles": ["chair"]})),
        )
        .await;
    assert_eq!(status, 200, "{rotated}");
    let new = sheet_tokens(&floor, &room).await;
    assert_eq!(
        new.role("chair"),
        rotated["tokens"]["chair"].as_str().unwrap()
    );
    assert_ne!(new.role("chair"), old.role("chair"));
    assert_eq!(new.role("runner"), old.role("runner"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_brokers_sharing_nats_import_and_print_the_same_conference() {
    let dir = tempfile::tempdir().unwrap();
    let (_nats, a, b) = crate::two_brokers(dir.path()).await;

    let before = sessions_of("igf-programme.ics");
    import(&a, "igf-programme.ics");
    assert_eq!(listed(&b, ADMIN).await.len(), before.len());

    // Changed through B; the renamed room, opened on A with the links B
    // prints, carries the new title.
    let after = sessions_of("igf-programme-changed.ics");
    let (_, changed, gone) = expected_changes(&before, &after);
    let renamed = changed
        .iter()
        .find(|(_, fields)| fields.contains(&"title".to_owned()))
        .map(|(id, _)| id.clone())
        .unwrap();
    let printed = import(&b, "igf-programme-changed.ics");
    assert!(
        printed.contains(&format!(
            "{} changed, {} archived",
            changed.len(),
            gone.len()
        )),
        "{printed}"
    );
    let tokens = sheet_tokens(&b, &renamed).await;
    let client = welcomed(&a, &tokens.hello("chair", "on-a")).await;
    drop(client);
    let mut raw = Client::raw(Client::open(&a).await);
    raw.send(&tokens.hello("display", "title-on-a")).await;
    let welcome = raw.next().await;
    assert_eq!(
        welcome["room"]["title"],
        json!(after[&renamed].title),
        "{welcome}"
    );
    assert_eq!(listed(&a, ADMIN).await, listed(&b, ADMIN).await);
}
