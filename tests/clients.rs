//! The role clients against a running broker: every operation of the mic
//! runner, the online moderator, the chair and the display, through the
//! library and through the `floor` command line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use floor_client::{
    Client, ConnectOptions, DisplayView, Hand, ImportOptions, OnlineEntry, RemoteChannel,
    RequestError, RoomChannel,
};
use floor_protocol::{
    Channel, Command, Delivery, EntryDraft, EntryPatch, EntryStatus, ErrorCode, Person, Region,
    SettingsPatch, StakeholderGroup,
};
use floor_tests::*;
use serde_json::Value;

async fn connect(floor: &Floor, tokens: &Tokens, role: &str) -> Client {
    Client::connect(ConnectOptions::from_link(&tokens.link(floor, role)).unwrap())
        .await
        .unwrap()
}

async fn participant(floor: &Floor, tokens: &Tokens, channel: Channel) -> Client {
    let options = ConnectOptions::from_link(&tokens.link(floor, "participant"))
        .unwrap()
        .channel(channel);
    Client::connect(options).await.unwrap()
}

fn refused_with(result: Result<impl std::fmt::Debug, RequestError>, code: ErrorCode) {
    match result {
        Err(RequestError::Refused(refusal)) => assert_eq!(refusal.code, code, "{refusal}"),
        other => panic!("expected {code}, got {other:?}"),
    }
}

#[tokio::test]
async fn the_runner_registers_hands_and_follows_the_microphone() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let runner = RoomChannel::new(connect(&floor, &tokens, "runner").await);
    let chair = connect(&floor, &tokens, "chair").await;

    let amina = runner
        .raise_hand(
            Hand::new("Amina Diallo")
                .affiliation("ICT Ministry")
                .stakeholder_group(StakeholderGroup::Government)
                .region(Region::African)
                .seat("Row 4, aisle")
                .text("How will the fund reach small firms?"),
        )
        .await
        .unwrap();
    let bo = runner
        .raise_hand(Hand::new("Bo Chen").seat("Row 9").comment())
        .await
        .unwrap();

    // Acknowledged means visible: the entry is in the runner's state.
    let state = runner.client().state();
    let entry = state.entry(amina).unwrap();
    assert_eq!(entry.channel, Channel::Onsite);
    assert_eq!(entry.location.as_deref(), Some("Row 4, aisle"));
    assert_eq!(entry.person.affiliation.as_deref(), Some("ICT Ministry"));
    assert_eq!(entry.person.region, Some(Region::African));
    assert_eq!(state.place(amina), Some(0));

    let on_deck = runner.on_deck().unwrap();
    assert_eq!(
        (on_deck.entry_id, on_deck.location.as_deref(), on_deck.ahead),
        (amina, Some("Row 4, aisle"), 0)
    );
    assert!(!on_deck.mic_in_hand);

    runner.mic_in_hand(amina).await.unwrap();
    assert!(runner.on_deck().unwrap().mic_in_hand);

    runner
        .correct(
            bo,
            EntryPatch {
                name: Some("Bo Chen Li".into()),
                location: Some(Some("Row 10".into())),
                ..EntryPatch::default()
            },
        )
        .await
        .unwrap();
    let state = runner.client().state();
    assert_eq!(state.entry(bo).unwrap().person.name, "Bo Chen Li");
    assert_eq!(state.entry(bo).unwrap().location.as_deref(), Some("Row 10"));

    // The chair calls Amina, who has the microphone: the runner walks to Bo.
    chair.command(Command::next()).await.unwrap();
    let state = runner.client().wait_until(|s| s.speaking().is_some()).await;
    assert_eq!(state.speaking().unwrap().1.id, amina);
    let on_deck = runner.on_deck().unwrap();
    assert_eq!((on_deck.entry_id, on_deck.ahead), (bo, 0));

    runner.withdraw(bo).await.unwrap();
    assert_eq!(
        runner.client().state().entry(bo).unwrap().status,
        EntryStatus::Withdrawn
    );
    assert_eq!(runner.on_deck(), None);

    // Refusals change nothing.
    let seq = runner.client().state().seq();
    refused_with(runner.withdraw(bo).await, ErrorCode::InvalidTransition);
    let moderator = RemoteChannel::new(connect(&floor, &tokens, "moderator").await);
    let remote = moderator.add(OnlineEntry::new("Carla Ruiz")).await.unwrap();
    refused_with(runner.withdraw(remote).await, ErrorCode::Forbidden);
    refused_with(
        runner.raise_hand(Hand::new("")).await,
        ErrorCode::InvalidField,
    );
    let after = floor.room_state(&tokens).await;
    assert_eq!(after.seq(), seq + 1, "only the moderator's entry was added");
    let state = runner.client().wait_until(|s| s.seq() == after.seq()).await;
    assert_eq!(state.view(), after.view());
    assert_eq!(state.order(), after.order());
}

#[tokio::test]
async fn the_moderator_relays_curates_and_imports_remote_questions() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let moderator = RemoteChannel::new(connect(&floor, &tokens, "moderator").await);
    let chair = connect(&floor, &tokens, "chair").await;

    let bo = moderator
        .add(
            OnlineEntry::new("Bo Chen")
                .text("What about rural access?")
                .read_aloud()
                .affiliation("Rural ISP Association"),
        )
        .await
        .unwrap();
    let state = moderator.client().state();
    let entry = state.entry(bo).unwrap();
    assert_eq!(
        (entry.channel, entry.delivery, entry.text.as_deref()),
        (
            Channel::Online,
            Delivery::ReadAloud,
            Some("What about rural access?")
        )
    );
    let comment = moderator
        .add(OnlineEntry::new("Dev Patel").comment())
        .await
        .unwrap();
    assert_eq!(
        moderator.client().state().entry(comment).unwrap().delivery,
        Delivery::RemoteAudio
    );

    // Edit the text.
    moderator
        .edit_text(bo, "What about rural broadband prices?".into())
        .await
        .unwrap();
    assert_eq!(
        moderator
            .client()
            .state()
            .entry(bo)
            .unwrap()
            .text
            .as_deref(),
        Some("What about rural broadband prices?")
    );

    // Merge a duplicate question into the first.
    let dup = moderator
        .add(OnlineEntry::new("Bo C.").text("rural prices?"))
        .await
        .unwrap();
    moderator.merge(dup, bo).await.unwrap();
    let entry = moderator.client().state().entry(dup).cloned().unwrap();
    assert_eq!(
        (entry.status, entry.merged_into),
        (EntryStatus::Merged, Some(bo))
    );

    // Participants' own submissions wait for approval in a moderated room.
    chair
        .command(Command::UpdateSettings {
            patch: SettingsPatch {
                moderated: Some(true),
                ..SettingsPatch::default()
            },
        })
        .await
        .unwrap();
    let draft = |name: &str| EntryDraft {
        channel: Channel::Online,
        kind: Default::default(),
        person: Person::named(name),
        text: Some("From the call".into()),
        location: None,
        language: None,
        delivery: None,
        gender: None,
        source: None,
    };
    let eva = participant(&floor, &tokens, Channel::Online)
        .await
        .submit(draft("Eva Novak"))
        .await
        .unwrap();
    let fay = participant(&floor, &tokens, Channel::Online)
        .await
        .submit(draft("Fay Wong"))
        .await
        .unwrap();
    moderator
        .client()
        .wait_until(|s| s.entry(fay).is_some())
        .await;
    let pending: Vec<_> = moderator.pending().iter().map(|e| e.id).collect();
    assert_eq!(pending, [eva, fay]);
    moderator.approve(eva).await.unwrap();
    moderator
        .reject(fay, Some("Off topic".into()))
        .await
        .unwrap();
    let state = moderator.client().state();
    assert_eq!(state.entry(eva).unwrap().status, EntryStatus::Waiting);
    let fay_entry = state.entry(fay).unwrap();
    assert_eq!(
        (fay_entry.status, fay_entry.reject_reason.as_deref()),
        (EntryStatus::Rejected, Some("Off topic"))
    );
    assert!(state.place(eva).is_some());

    // The moderator cannot touch the room's channel.
    let runner = RoomChannel::new(connect(&floor, &tokens, "runner").await);
    let onsite = runner.raise_hand(Hand::new("Gus Ito")).await.unwrap();
    refused_with(
        moderator.edit_text(onsite, "changed".into()).await,
        ErrorCode::Forbidden,
    );

    let broker = floor.room_state(&tokens).await;
    let state = moderator
        .client()
        .wait_until(|s| s.seq() == broker.seq())
        .await;
    assert_eq!(state.view(), broker.view());
    assert_eq!(state.order(), broker.order());
}

#[tokio::test]
async fn a_chat_transcript_is_imported_line_by_line_with_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let moderator = RemoteChannel::new(connect(&floor, &tokens, "moderator").await);
    let transcript = std::fs::read_to_string(fixture("chat-transcript.txt")).unwrap();

    let report = moderator
        .import(&transcript, ImportOptions::default())
        .await;
    assert_eq!(report.stopped, None);
    let imported: Vec<(usize, &str)> = report
        .imported
        .iter()
        .map(|i| (i.line, i.name.as_str()))
        .collect();
    assert_eq!(
        imported,
        [
            (1, "Amina Diallo"),
            (2, "Bo Chen"),
            (6, "Dev Patel"),
            (9, "Eva Novak")
        ]
    );
    // Amina asks again while her first question waits: refused, with her
    // open entry named.
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].line, 7);
    assert_eq!(report.refused[0].code, "duplicate_person");
    assert_eq!(
        report.refused[0].entry_id,
        Some(report.imported[0].entry_id)
    );
    let unreadable: Vec<usize> = report.unreadable.iter().map(|u| u.line).collect();
    assert_eq!(unreadable, [4, 5, 8]);
    assert!(report.unreadable.iter().all(|u| !u.reason.is_empty()));

    // The broker holds exactly the imported questions, in transcript order,
    // with their text.
    let broker = floor.room_state(&tokens).await;
    let entries: Vec<(&str, Option<&str>, Channel)> = broker
        .view()
        .entries
        .iter()
        .map(|e| (e.person.name.as_str(), e.text.as_deref(), e.channel))
        .collect();
    assert_eq!(
        entries,
        [
            (
                "Amina Diallo",
                Some("How will the fund reach small firms outside the capital?"),
                Channel::Online
            ),
            (
                "Bo Chen",
                Some("Is there data on rural broadband prices?"),
                Channel::Online
            ),
            (
                "Dev Patel",
                Some("Could the panel comment on open-source procurement?"),
                Channel::Online
            ),
            (
                "Eva Novak",
                Some("What role for universities?"),
                Channel::Online
            ),
        ]
    );

    // The same file through the command line: the report as JSON, and exit
    // code 1 because not every line was imported. Nothing new this time:
    // everyone already has an open entry.
    let (code, out, err) = floor_role(
        &tokens.link(&floor, "moderator"),
        &[
            "moderator",
            "import",
            fixture("chat-transcript.txt").to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["imported"].as_array().unwrap().len(), 0);
    assert_eq!(report["refused"].as_array().unwrap().len(), 5);
    assert_eq!(report["unreadable"].as_array().unwrap().len(), 3);
    assert_eq!(floor.room_state(&tokens).await.seq(), broker.seq());
}

#[tokio::test]
async fn the_display_shows_speaker_time_left_next_speakers_and_tally() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let display = connect(&floor, &tokens, "display").await;
    let chair = connect(&floor, &tokens, "chair").await;
    let runner = RoomChannel::new(connect(&floor, &tokens, "runner").await);
    let moderator = RemoteChannel::new(connect(&floor, &tokens, "moderator").await);

    let a = runner.raise_hand(Hand::new("Amina Diallo")).await.unwrap();
    let b = runner.raise_hand(Hand::new("Bo Chen")).await.unwrap();
    let c = moderator.add(OnlineEntry::new("Carla Ruiz")).await.unwrap();
    let d = moderator.add(OnlineEntry::new("Dev Patel")).await.unwrap();
    let ack = chair.command(Command::next()).await.unwrap();

    let state = display.wait_until(|s| s.seq() == ack.last_seq).await;
    let view = DisplayView::of(&state, display.now_ms(), 2);
    let speaking = view.speaking.as_ref().unwrap();
    assert_eq!((speaking.entry_id, speaking.channel), (a, Channel::Onsite));
    // The client's estimate of the broker's clock lags by the time its
    // `welcome` took to arrive (more on a loaded machine): the time
    // left may read a little over the two minutes.
    assert!(
        speaking.remaining_ms > 0 && speaking.remaining_ms <= 120_000 + 5_000,
        "{}",
        speaking.remaining_ms
    );
    let next: Vec<_> = view.next.iter().map(|n| (n.entry_id, n.channel)).collect();
    // Onsite spoke; online's turn, then the room again.
    assert_eq!(next, [(c, Channel::Online), (b, Channel::Onsite)]);
    assert_eq!(view.more, 1);
    assert!(view.next.iter().all(|n| !n.reason.is_empty()));
    assert_eq!((view.turns.onsite, view.turns.online), (1, 0));
    assert_eq!((view.waiting.onsite, view.waiting.online), (1, 2));
    let text = floor_client::render_text(&view, 80);
    assert!(
        text.contains("Amina Diallo") && text.contains("Carla Ruiz"),
        "{text}"
    );

    // A display may not act.
    refused_with(display.command(Command::next()).await, ErrorCode::Forbidden);

    // And through the command line.
    let (code, out, err) = floor_role(
        &tokens.link(&floor, "display"),
        &["display", "--once", "--json", "--next", "3"],
    );
    assert_eq!(code, 0, "{err}");
    let view: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(view["speaking"]["name"], "Amina Diallo");
    assert_eq!(view["next"].as_array().unwrap().len(), 3);
    assert_eq!(view["next"][2]["entry_id"], d.to_string());
}

/// Runs `floor` with `FLOOR_URL` set; returns (exit code, stdout, stderr).
fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

#[tokio::test]
async fn the_command_line_runs_a_session_with_exit_codes_scripts_can_rely_on() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let runner = tokens.link(&floor, "runner");
    let moderator = tokens.link(&floor, "moderator");
    let chair = tokens.link(&floor, "chair");

    let (code, out, err) = floor_role(
        &runner,
        &[
            "runner",
            "add",
            "Amina Diallo",
            "--seat",
            "Row 4",
            "--group",
            "civil-society",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let added: Value = serde_json::from_str(&out).unwrap();
    let amina = added["entry_id"].as_str().unwrap().to_owned();
    assert_eq!(added["place"], 0);

    let (code, out, err) = floor_role(
        &moderator,
        &["moderator", "add", "Bo Chen", "--text", "Rural access?"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("added Bo Chen ("), "{out}");
    let (code, out, _) = floor_role(&moderator, &["moderator", "list", "--json"]);
    assert_eq!(code, 0);
    let bo = serde_json::from_str::<Value>(&out).unwrap()[0]["entry_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Where to walk, then the microphone, by the id's first characters.
    let (code, out, _) = floor_role(&runner, &["runner", "next", "--json"]);
    assert_eq!(code, 0);
    let next: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(next["on_deck"]["entry_id"], amina.as_str());
    assert_eq!(next["on_deck"]["location"], "Row 4");
    let (code, _, err) = floor_role(&runner, &["runner", "mic", &amina[..8]]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = floor_role(&runner, &["runner", "edit", &amina[..8], "--seat", "Row 5"]);
    assert_eq!(code, 0, "{err}");

    let (code, out, err) = floor_role(&chair, &["chair", "next", "--json"]);
    assert_eq!(code, 0, "{err}");
    let called: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(called["speaking"]["entry_id"], amina.as_str());
    let (code, out, _) = floor_role(&chair, &["chair", "next"]);
    assert_eq!(code, 0);
    assert!(out.contains("Bo Chen"), "{out}");

    // Refused: exit 1, a clear message, nothing changed.
    let head = floor.room_state(&tokens).await.seq();
    let (code, _, err) = floor_role(&runner, &["runner", "withdraw", &bo[..8]]);
    assert_eq!(code, 1);
    assert!(err.contains("forbidden"), "{err}");
    let (code, _, err) = floor_role(&moderator, &["moderator", "approve", "ffff"]);
    assert_eq!(code, 1);
    assert!(err.contains("no entry"), "{err}");
    let (code, _, err) = floor_role(&runner, &["runner", "edit", &amina[..8]]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(floor.room_state(&tokens).await.seq(), head);

    // A command repeated with the same client and request ids takes
    // effect once: the repeat reports the first result.
    let retry = [
        "runner",
        "add",
        "Zed Okafor",
        "--client-id",
        "desk-2",
        "--request-id",
        "r-17",
        "--json",
    ];
    let (code, first, err) = floor_role(&runner, &retry);
    assert_eq!(code, 0, "{err}");
    let (code, again, err) = floor_role(&runner, &retry);
    assert_eq!(code, 0, "{err}");
    let (first, again): (Value, Value) = (
        serde_json::from_str(&first).unwrap(),
        serde_json::from_str(&again).unwrap(),
    );
    assert_eq!(first["entry_id"], again["entry_id"]);
    assert_eq!(
        (first["duplicate"].clone(), again["duplicate"].clone()),
        (false.into(), true.into())
    );
    let (code, _, _) = floor_role(&runner, &["runner", "next", "--timeout", "0"]);
    assert_eq!(code, 2);

    // Wrong token: 4. No broker: 3. Bad link: 2.
    let wrong = format!("{}/r/hall/runner#token=0000", floor.http_url());
    let (code, _, err) = floor_role(&wrong, &["runner", "next"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("unauthorized"), "{err}");
    let (code, _, _) = floor_role(
        "http://127.0.0.1:1/r/hall/runner#token=x",
        &["runner", "next"],
    );
    assert_eq!(code, 3);
    let (code, _, err) = floor_role("not a link", &["runner", "next"]);
    assert_eq!(code, 2);
    assert!(err.contains("FLOOR_URL"), "{err}");

    // Every role command shows an example.
    for args in [
        ["runner", "add"],
        ["moderator", "import"],
        ["chair", "next"],
        ["display", "--help"],
    ] {
        let mut args = args.to_vec();
        if args[1] != "--help" {
            args.push("--help");
        }
        let (code, out, _) = floor_role(&runner, &args);
        assert_eq!(code, 0);
        assert!(out.contains("Example"), "{args:?}: {out}");
    }
}

#[tokio::test]
async fn the_chair_sets_and_runs_the_show_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let chair = tokens.link(&floor, "chair");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();

    // A malformed room file: refused with its line, nothing sent.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[phase]]\ntitle = \"Open floor\"\nkind = \"open_floor\"\nminutes = 40\n\n[[phase]]\ntitle = \"Closing\"\nkind = \"closing\"\nminutes = -2\n",
    )
    .unwrap();
    let (code, _, err) = floor_role(&chair, &["chair", "programme", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 9"), "{err}");
    assert_eq!(floor.room_state(&tokens).await.seq(), 0);

    let file = root.join("examples/igf2018-ws235.toml");
    let (code, out, err) = floor_role(&chair, &["chair", "programme", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 phases, 90 min"), "{out}");
    let (code, out, _) = floor_role(&chair, &["chair", "phase", "next"]);
    assert_eq!(code, 0);
    assert!(out.contains("Presentations (40 min) started"), "{out}");
    let (code, out, _) = floor_role(&chair, &["chair", "presenter", "--json"]);
    assert_eq!(code, 0);
    let shown: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["presenter"], "Roberto Bissio");
    let (code, _, err) = floor_role(&chair, &["chair", "phase", "7"]);
    assert_eq!(code, 1, "{err}");

    // The display library shows the phase and the presenter.
    let display = connect(&floor, &tokens, "display").await;
    let view = display.with_state(|s| DisplayView::of(s, display.now_ms(), 3));
    let stage = view.stage.unwrap();
    assert_eq!(stage.title, "Presentations");
    assert_eq!(stage.presenter.as_deref(), Some("Roberto Bissio"));
    assert!(stage.presenter_remaining_ms.unwrap() <= 8 * 60_000);
}
