//! A display subscriber behind a flaky network: a long scripted session
//! runs while the display's connection is cut at random moments. Its final
//! state equals the broker's, and its stream of events had every event
//! exactly once, in order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use floor_client::{
    Client, ConnectOptions, ConnectionEvent, Hand, OnlineEntry, RemoteChannel, RoomChannel, Update,
};
use floor_protocol::Command;
use floor_tests::*;
use rand::{Rng, SeedableRng};

const STEPS: usize = 400;

async fn connect(link: &str) -> Client {
    let options = ConnectOptions::from_link(link)
        .unwrap()
        .reconnect_delay(Duration::from_millis(10), Duration::from_millis(200));
    Client::connect(options).await.unwrap()
}

/// What the display's stream showed.
#[derive(Debug, Default)]
struct Seen {
    seqs: Vec<u64>,
    reconnections: usize,
    snapshots: usize,
    resyncs: Vec<String>,
    lagged: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_that_keeps_losing_its_connection_misses_and_repeats_nothing() {
    let seed: u64 = std::env::var("FLOOR_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("seed {seed} (FLOOR_TEST_SEED={seed} repeats this run)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let dir = tempfile::tempdir().unwrap();
    let floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let proxy = Proxy::start(floor.addr).await;
    let display_link = format!(
        "{}/r/hall/display#token={}",
        proxy.http_url(),
        tokens.role("display")
    );
    let display = connect(&display_link).await;
    let mut updates = display.subscribe();
    let collector = tokio::spawn(async move {
        let mut seen = Seen::default();
        while let Some(update) = updates.next().await {
            match update {
                Update::Event(event) => seen.seqs.push(event.seq),
                Update::Snapshot { .. } => seen.snapshots += 1,
                Update::Lagged { missed } => seen.lagged += missed,
                Update::Connection(ConnectionEvent::Connected { .. }) => seen.reconnections += 1,
                Update::Connection(ConnectionEvent::Resyncing { anomaly }) => {
                    seen.resyncs.push(anomaly.to_string())
                }
                Update::Connection(ConnectionEvent::Closed { .. }) => break,
                _ => {}
            }
        }
        seen
    });

    let chair = connect(&tokens.link(&floor, "chair")).await;
    let runner = RoomChannel::new(connect(&tokens.link(&floor, "runner")).await);
    let moderator = RemoteChannel::new(connect(&tokens.link(&floor, "moderator")).await);
    let mut cuts = 0;
    for step in 0..STEPS {
        let roll = rng.random_range(0..100);
        // Refusals (nobody to call, ...) are part of a session; they add no
        // events.
        let _ = match roll {
            0..35 => runner
                .raise_hand(Hand::new(format!("Room person {step}")).seat("Row 3"))
                .await
                .map(|_| ()),
            35..65 => moderator
                .add(OnlineEntry::new(format!("Remote person {step}")))
                .await
                .map(|_| ()),
            65..88 => chair.command(Command::next()).await.map(|_| ()),
            88..94 => match runner.on_deck() {
                Some(next) => runner.mic_in_hand(next.entry_id).await.map(|_| ()),
                None => Ok(()),
            },
            _ => {
                let first = moderator.client().with_state(|s| {
                    s.on_deck(floor_protocol::Channel::Online)
                        .map(|(_, e)| e.id)
                });
                match first {
                    Some(id) => moderator
                        .edit_text(id, format!("Edited at step {step}"))
                        .await
                        .map(|_| ()),
                    None => Ok(()),
                }
            }
        };
        if rng.random_range(0..12) == 0 {
            proxy.cut();
            cuts += 1;
        }
    }

    // Every command of the script was answered, so the broker's state now
    // is the session's end.
    let broker = floor.room_state(&tokens).await;
    let head = broker.seq();
    assert!(head > STEPS as u64 / 2, "the session produced events");
    let state = match tokio::time::timeout(DEADLINE, display.wait_until(|s| s.seq() == head)).await
    {
        Ok(state) => state,
        Err(_) => panic!(
            "the display did not catch up: at {} of {head}, {:?}",
            display.state().seq(),
            display.status()
        ),
    };
    assert_eq!(state.view(), broker.view());
    assert_eq!(state.order(), broker.order());

    display.close().await;
    let seen = collector.await.unwrap();
    assert_eq!(seen.lagged, 0);
    assert!(seen.resyncs.is_empty(), "{:?}", seen.resyncs);
    assert_eq!(seen.snapshots, 0, "every reconnection resumed");
    let expected: Vec<u64> = (1..=head).collect();
    assert_eq!(seen.seqs, expected, "every event exactly once, in order");
    assert!(cuts >= 10, "only {cuts} cuts");
    assert!(
        seen.reconnections >= 5,
        "the display reconnected only {} times",
        seen.reconnections
    );
    eprintln!(
        "{head} events, {cuts} cuts, {} reconnections",
        seen.reconnections
    );
}
