//! Durability figures: group-commit latency of the writer on the real
//! SQLite store (WAL, synchronous=FULL), and the time to rebuild a room of
//! 100,000 events from the log.
//!
//! Run: `cargo bench -p floor-broker --bench durability`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use floor_broker::commit::Writer;
use floor_broker::metrics::Metrics;
use floor_broker::room;
use floor_core::{Actor, Ctx, Room};
use floor_protocol::{Channel, ClientKey, Command, EntryDraft, Person, Role};
use floor_store::{Append, RoomRecord, Store};
use uuid::Uuid;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn record(id: &str) -> RoomRecord {
    RoomRecord {
        id: id.into(),
        title: id.into(),
        epoch: Uuid::new_v4().to_string(),
        created_at_ms: 0,
    }
}

/// A realistic stream of events: hands and remote questions arriving, the
/// chair calling them, as the core decides them.
fn session_events(count: usize) -> Vec<(u64, String)> {
    let mut room = Room::new();
    let runner = Actor {
        role: Role::Runner,
        client: ClientKey::new("runner"),
        channel: None,
    };
    let moderator = Actor {
        role: Role::Moderator,
        client: ClientKey::new("moderator"),
        channel: None,
    };
    let chair = Actor {
        role: Role::Chair,
        client: ClientKey::new("chair"),
        channel: None,
    };
    let mut out = Vec::with_capacity(count);
    let mut n = 0u64;
    while out.len() < count {
        n += 1;
        let ctx = Ctx {
            now_ms: 1_543_233_600_000 + n * 1000,
            new_id: Uuid::from_u128(u128::from(n)),
        };
        let (actor, command) = match n % 3 {
            0 => (&chair, Command::next()),
            1 => (&runner, submit(Channel::Onsite, n)),
            _ => (&moderator, submit(Channel::Online, n)),
        };
        if let Ok(outcome) = room.execute(actor, &format!("r{n}"), &command, &ctx) {
            for event in outcome.events {
                out.push((event.seq, serde_json::to_string(&event).unwrap()));
            }
        }
    }
    out.truncate(count);
    out
}

fn submit(channel: Channel, n: u64) -> Command {
    let mut person = Person::named(format!("Participant {n}"));
    person.affiliation = Some("Internet Governance Forum".into());
    Command::Submit {
        entry: EntryDraft {
            channel,
            kind: Default::default(),
            person,
            text: Some(
                "How should developing countries keep the value of their data at home?".into(),
            ),
            location: Some("Row 12, seat 4".into()),
            language: Some("en".into()),
            delivery: None,
            gender: None,
            source: None,
        },
    }
}

async fn commit_latency(rooms: usize, commits_per_room: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("floor.db");
    let mut store = Store::open(&path).unwrap();
    for r in 0..rooms {
        store
            .create_room(&record(&format!("room-{r}")), &[])
            .unwrap();
    }
    let writer = Writer::start(store, path, Arc::new(Metrics::new())).unwrap();
    let event = session_events(1).remove(0).1;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for r in 0..rooms {
        let writer = writer.clone();
        let event = event.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(commits_per_room);
            for seq in 1..=commits_per_room as u64 {
                let append = Append {
                    room: format!("room-{r}"),
                    events: vec![(seq, event.clone())],
                    declarations: vec![],
                };
                let t = Instant::now();
                writer.append(append).await.unwrap();
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    println!(
        "commit latency, {rooms:>3} rooms committing concurrently: p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  ({:.0} commits/s)",
        percentile(&all, 0.50).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3,
        all.len() as f64 / elapsed.as_secs_f64(),
    );
    writer.stop().await.unwrap();
}

fn rebuild(events: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("floor.db");
    let mut store = Store::open(&path).unwrap();
    store.create_room(&record("big"), &[]).unwrap();
    let all = session_events(events);
    for chunk in all.chunks(5_000) {
        store
            .append(&[Append {
                room: "big".into(),
                events: chunk.to_vec(),
                declarations: vec![],
            }])
            .unwrap();
    }
    drop(store);
    let bytes = std::fs::metadata(&path).unwrap().len();
    let mut times = Vec::new();
    for _ in 0..3 {
        let store = Store::open(&path).unwrap();
        let t = Instant::now();
        let loaded = room::load(&store, "big").unwrap();
        times.push(t.elapsed());
        assert_eq!(loaded.room.seq(), events as u64);
    }
    times.sort();
    println!(
        "rebuild a room of {events} events ({:.1} MB log) from SQLite: median {:.0} ms (runs: {:?})",
        bytes as f64 / 1e6,
        times[1].as_secs_f64() * 1e3,
        times
            .iter()
            .map(|t| format!("{:.0} ms", t.as_secs_f64() * 1e3))
            .collect::<Vec<_>>()
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        commit_latency(1, 300).await;
        commit_latency(50, 40).await;
    });
    rebuild(100_000);
}
