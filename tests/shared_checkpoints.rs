//! Checkpoints in the shared store: a room loaded from its checkpoint and
//! the commits after it is the room folded from its first commit (state,
//! resume window, stream position); a checkpoint that is damaged, of
//! another build, not of this log or tied to a commit beyond it is ignored
//! and the whole log is folded; and a broker stores its rooms' checkpoints
//! as it commits, for the next broker's first load.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::object_store::ObjectMetadata;
use floor_broker::room::{Loaded, load_shared};
use floor_broker::shared::{
    Anchor, Appended, CHECKPOINTS_BUCKET, CheckpointHead, Shared, SharedConfig, commit_digest,
    message_id,
};
use floor_core::checkpoint::Checkpoint;
use floor_core::{Actor, Ctx, Room};
use floor_protocol::{Channel, ClientKey, Command, EntryDraft, Person, Role};
use floor_tests::nats::Nats;
use floor_tests::{Client, Floor, acked, submit, welcomed};
use serde_json::json;

/// A room written as brokers write it, and what a test needs of it.
struct Written {
    /// The room as its writer folded it.
    room: Room,
    /// Each commit: the seq of its last event and its stream sequence.
    commits: Vec<Anchor>,
    /// The checkpoint of the room at each commit, when asked for.
    checkpoints: Vec<(Anchor, String)>,
}

fn actor(role: Role, name: &str) -> Actor {
    Actor {
        role,
        client: ClientKey::new(name),
        channel: None,
    }
}

fn draft(n: u64) -> EntryDraft {
    EntryDraft {
        channel: Channel::Onsite,
        kind: Default::default(),
        person: Person::named(format!("Participant {n}")),
        text: Some(format!("Question {n}")),
        location: None,
        language: None,
        delivery: None,
        gender: None,
        source: None,
    }
}

/// Commands per commit of the rooms written here: a busy room's batches.
const COMMIT: usize = 8;

/// Writes a session of `commands` commands to room `id` in commits of
/// [`COMMIT`] commands (two hands arriving for every two calls and a
/// turn finished), keeping the checkpoint at the commits `keep` picks.
async fn write_room(
    shared: &Shared,
    id: &str,
    commands: u64,
    keep: impl Fn(u64) -> bool,
) -> Written {
    let runner = actor(Role::Runner, "runner");
    let chair = actor(Role::Chair, "chair");
    let mut room = Room::new();
    let mut written = Written {
        room: Room::new(),
        commits: Vec::new(),
        checkpoints: Vec::new(),
    };
    let mut expected = 0;
    let mut n = 0;
    while n < commands {
        let mut lines = Vec::new();
        let mut requests = Vec::new();
        while requests.len() < COMMIT && n < commands {
            n += 1;
            let (who, command) = match n % 5 {
                0 | 3 => (&chair, Command::next()),
                4 => (&chair, Command::finish()),
                _ => (&runner, Command::Submit { entry: draft(n) }),
            };
            let ctx = Ctx {
                now_ms: 1_800_000_000_000 + n * 1000,
                new_id: uuid::Uuid::from_u128(u128::from(n)),
            };
            let request = format!("r{n}");
            let Ok(outcome) = room.execute(who, &request, &command, &ctx) else {
                continue;
            };
            if outcome.events.is_empty() {
                continue;
            }
            for event in &outcome.events {
                lines.push(serde_json::to_string(event).unwrap());
            }
            requests.push((who.client.as_str().to_owned(), request));
        }
        if lines.is_empty() {
            continue;
        }
        let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
        let message = message_id(id, requests.iter().map(|(c, r)| (c.as_str(), r.as_str())));
        match shared
            .append(id, &texts, &Default::default(), &message, expected)
            .await
            .unwrap()
        {
            Appended::Stored(seq) => expected = seq,
            other => panic!("append refused: {other:?}"),
        }
        let at = Anchor {
            seq: room.seq(),
            stream_seq: expected,
        };
        written.commits.push(at);
        if keep(at.seq) {
            let body = serde_json::to_string(&room.checkpoint()).unwrap();
            written.checkpoints.push((at, body));
        }
    }
    written.room = room;
    written
}

async fn connect(nats: &Nats) -> Arc<Shared> {
    Shared::connect(&SharedConfig {
        servers: nats.urls(),
        replicas: None,
    })
    .await
    .unwrap()
}

/// A new broker's first load of the room (nothing of it in memory).
async fn first_load(nats: &Nats, id: &str) -> Loaded {
    load_shared(&*connect(nats).await, id).await.unwrap()
}

/// The checkpoints' bucket, as any NATS client reaches it.
async fn bucket(nats: &Nats) -> async_nats::jetstream::object_store::ObjectStore {
    let client = async_nats::connect(nats.urls()).await.unwrap();
    async_nats::jetstream::new(client)
        .get_object_store(CHECKPOINTS_BUCKET)
        .await
        .unwrap()
}

/// Stores `bytes` as room `id`'s checkpoint object, whatever they hold.
async fn put_object(nats: &Nats, id: &str, bytes: &[u8]) {
    let meta = ObjectMetadata {
        name: id.to_owned(),
        ..Default::default()
    };
    bucket(nats).await.put(meta, &mut &bytes[..]).await.unwrap();
}

fn assert_same(loaded: &Loaded, whole: &Loaded) {
    assert!(loaded.room == whole.room, "the room differs from the fold");
    assert_eq!(loaded.room.view(), whole.room.view());
    assert_eq!(loaded.stream_seq, whole.stream_seq);
    let ends = |l: &Loaded| {
        (
            l.recent.len(),
            l.recent.front().map(|e| e.0),
            l.recent.back().map(|e| e.0),
        )
    };
    assert!(
        loaded.recent == whole.recent,
        "the resume window differs: {:?}, whole {:?}",
        ends(loaded),
        ends(whole)
    );
    assert!(loaded.window_complete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_from_its_checkpoint_and_the_commits_after_it_is_the_room_folded_whole() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let writer = connect(&nats).await;
    // Past a resume window and a half, checkpoints kept from 6,000 on.
    let written = write_room(&writer, "big", 8_000, |seq| seq >= 6_000).await;
    assert!(
        !written.checkpoints.is_empty(),
        "the room reached only {}",
        written.room.seq()
    );
    let whole = first_load(&nats, "big").await;
    assert_eq!(whole.checkpointed, 0, "no checkpoint yet");
    assert!(whole.room == written.room);
    assert_eq!(whole.stream_seq, written.commits.last().unwrap().stream_seq);

    // A checkpoint stored by a broker that knows none of the room's
    // earlier commits: taken, without the window before it.
    let (at, body) = written.checkpoints[0].clone();
    assert!(writer.put_checkpoint("big", at, &body).await.unwrap());
    let loaded = first_load(&nats, "big").await;
    assert_eq!(loaded.checkpointed, at.seq, "taken from the checkpoint");
    assert!(loaded.room == whole.room, "the room differs from the fold");
    assert_eq!(loaded.stream_seq, whole.stream_seq);
    assert!(!loaded.window_complete);
    assert_eq!(loaded.recent.front().map(|(seq, _)| *seq), Some(at.seq + 1));
    let held = whole.recent.len() - loaded.recent.len();
    assert!(whole.recent.iter().skip(held).eq(loaded.recent.iter()));

    // One stored by a broker that folded the room whole (it names earlier
    // commits for the window), a little later.
    let (at, body) = written.checkpoints[1].clone();
    bucket(&nats).await.delete("big").await.unwrap();
    let broker = connect(&nats).await;
    assert_eq!(load_shared(&broker, "big").await.unwrap().checkpointed, 0);
    assert!(broker.put_checkpoint("big", at, &body).await.unwrap());
    let loaded = first_load(&nats, "big").await;
    assert_eq!(loaded.checkpointed, at.seq, "taken from the checkpoint");
    assert_same(&loaded, &whole);

    // An older one never replaces it.
    let older = written
        .commits
        .iter()
        .rev()
        .find(|c| c.seq < at.seq)
        .unwrap();
    assert!(!writer.put_checkpoint("big", *older, &body).await.unwrap());

    // At the very last commit: nothing after it to fold.
    let (last, body) = written.checkpoints.last().unwrap().clone();
    assert_eq!(last, *written.commits.last().unwrap());
    let broker = connect(&nats).await;
    load_shared(&broker, "big").await.unwrap();
    assert!(broker.put_checkpoint("big", last, &body).await.unwrap());
    let loaded = first_load(&nats, "big").await;
    assert_eq!(loaded.checkpointed, last.seq);
    assert_same(&loaded, &whole);

    // A checkpoint is only written tied to its own commit.
    let wrong = Anchor {
        seq: last.seq - 1,
        stream_seq: last.stream_seq,
    };
    assert!(writer.put_checkpoint("big", wrong, &body).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_foreign_or_unmatched_checkpoint_is_ignored_and_the_log_folded() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let writer = connect(&nats).await;
    let written = write_room(&writer, "r", 2_500, |seq| seq >= 1_000).await;
    let whole = first_load(&nats, "r").await;
    let (at, body) = written.checkpoints[0].clone();
    let events = {
        // The events of the checkpoint's commit, as the stream holds them.
        let read = writer.read_after("r", at.stream_seq - 1, 1).await.unwrap();
        read.into_iter().next().unwrap().events
    };
    let head = |at: Anchor, commit: String| CheckpointHead {
        room: "r".into(),
        at,
        commit,
        window: Vec::new(),
    };
    let object = |head: &CheckpointHead, body: &str| {
        format!("{}\n{body}", serde_json::to_string(head).unwrap()).into_bytes()
    };
    let good = head(at, commit_digest(&events));
    // Written by hand, as the broker writes it: taken.
    put_object(&nats, "r", &object(&good, &body)).await;
    let loaded = first_load(&nats, "r").await;
    assert_eq!(loaded.checkpointed, at.seq);
    assert_same(&loaded, &whole);

    let mut foreign: Checkpoint = serde_json::from_str(&body).unwrap();
    foreign.format = "floor-core 0.0.0 checkpoint 1".into();
    let foreign = serde_json::to_string(&foreign).unwrap();
    let mut other_room = good.clone();
    other_room.room = "s".into();
    let beyond = head(
        Anchor {
            seq: at.seq,
            stream_seq: written.commits.last().unwrap().stream_seq + 100,
        },
        good.commit.clone(),
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\x00\xffnot a checkpoint".to_vec()),
        ("no head", body.clone().into_bytes()),
        ("another build's", object(&good, &foreign)),
        ("another room's", object(&other_room, &body)),
        ("not this log's", object(&head(at, "00".repeat(32)), &body)),
        ("tied to a commit beyond the log", object(&beyond, &body)),
        ("cut short", object(&good, &body[..body.len() / 2])),
    ];
    for (what, bytes) in cases {
        put_object(&nats, "r", &bytes).await;
        let loaded = first_load(&nats, "r").await;
        assert_eq!(loaded.checkpointed, 0, "{what}: not taken");
        assert_same(&loaded, &whole);
    }

    // Damaged in the store: its chunk replaced by other bytes of the same
    // length, so the object's digest no longer matches.
    put_object(&nats, "r", &object(&good, &body)).await;
    let info = bucket(&nats).await.info("r").await.unwrap();
    let client = async_nats::connect(nats.urls()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let chunks = format!("$O.{CHECKPOINTS_BUCKET}.C.{}", info.nuid);
    let stream = js
        .get_stream(format!("OBJ_{CHECKPOINTS_BUCKET}"))
        .await
        .unwrap();
    stream.purge().filter(&chunks).await.unwrap();
    let mut damaged = object(&good, &body);
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x01;
    for chunk in damaged.chunks(128 * 1024) {
        js.publish(chunks.clone(), chunk.to_vec().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let loaded = first_load(&nats, "r").await;
    assert_eq!(loaded.checkpointed, 0, "damaged: not taken");
    assert_same(&loaded, &whole);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_stores_checkpoints_as_it_commits_and_the_next_broker_starts_from_one() {
    let dir = tempfile::tempdir().unwrap();
    let nats = Nats::single(&dir.path().join("nats"));
    let a = Floor::start_with(
        &dir.path().join("a"),
        &["--store", &nats.urls(), "--commands-per-second", "0"],
    );
    let tokens = a.create_room_when_stored("live").await;
    let mut runner = Client::connect(&a, tokens.hello("runner", "runner")).await;
    let mut chair = Client::connect(&a, tokens.hello("chair", "chair")).await;
    let interval = floor_core::checkpoint::INTERVAL;
    // A hand and a call each time (the open entries stay under the cap),
    // past a checkpoint's interval.
    for n in 0..interval / 2 + 20 {
        let name = format!("Participant {n}");
        acked(
            runner
                .command(&format!("s{n}"), submit("onsite", &name))
                .await,
        );
        acked(
            chair
                .command(&format!("n{n}"), json!({"type": "next"}))
                .await,
        );
    }
    // The checkpoint is written after the commits: wait for it.
    let store = bucket(&nats).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let seq = loop {
        if let Ok(info) = store.info("live").await
            && let Some(seq) = info.metadata.get("seq")
        {
            break seq.parse::<u64>().unwrap();
        }
        assert!(Instant::now() < deadline, "no checkpoint stored");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(seq >= interval, "{seq}");
    // Broker B's first load takes it, and serves the room A serves.
    let loaded = first_load(&nats, "live").await;
    assert_eq!(loaded.checkpointed, seq);
    let b = Floor::start_with(&dir.path().join("b"), &["--store", &nats.urls()]);
    let on_a = Client::connect(&a, tokens.hello("display", "on-a")).await;
    let on_b = welcomed(&b, &tokens.hello("display", "on-b")).await;
    assert_eq!(on_a.caught_up["type"], "snapshot");
    assert_eq!(on_a.caught_up["room"], on_b.caught_up["room"]);
}
