//! Reconnect: the broker is killed and restarted mid-session while the mic
//! runner and the online moderator keep submitting. Afterwards every
//! command took effect exactly once, and every client's room state equals
//! the broker's snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use floor_client::{
    Client, ConnectOptions, ConnectionEvent, Hand, OnlineEntry, RemoteChannel, RoomChannel, Update,
};
use floor_tests::*;
use futures_util::StreamExt;

const PER_CLIENT: usize = 60;
/// Requests in flight at once per client.
const IN_FLIGHT: usize = 6;

async fn connect(floor: &Floor, tokens: &Tokens, role: &str) -> Client {
    let options = ConnectOptions::from_link(&tokens.link(floor, role))
        .unwrap()
        .request_timeout(Duration::from_secs(120))
        .reconnect_delay(Duration::from_millis(50), Duration::from_millis(500));
    Client::connect(options).await.unwrap()
}

/// Whether the client reconnected by resuming from where it was.
async fn resumed(mut updates: floor_client::Subscriber) -> bool {
    while let Some(update) = updates.next().await {
        if let Update::Connection(ConnectionEvent::Connected {
            resumed_from: Some(_),
            ..
        }) = update
        {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_loses_and_repeats_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut floor = Floor::start(&dir.path().join("data"));
    let tokens = floor.create_room("hall").await;
    let runner = RoomChannel::new(connect(&floor, &tokens, "runner").await);
    let moderator = RemoteChannel::new(connect(&floor, &tokens, "moderator").await);
    let display = connect(&floor, &tokens, "display").await;
    let runner_resumed = tokio::spawn(resumed(runner.client().subscribe()));
    let moderator_resumed = tokio::spawn(resumed(moderator.client().subscribe()));

    let onsite = {
        let runner = runner.clone();
        tokio::spawn(async move {
            futures_util::stream::iter(0..PER_CLIENT)
                .map(|i| {
                    let runner = runner.clone();
                    async move {
                        let name = format!("Room person {i}");
                        (name.clone(), runner.raise_hand(Hand::new(name)).await)
                    }
                })
                .buffer_unordered(IN_FLIGHT)
                .collect::<Vec<_>>()
                .await
        })
    };
    let online = {
        let moderator = moderator.clone();
        tokio::spawn(async move {
            futures_util::stream::iter(0..PER_CLIENT)
                .map(|i| {
                    let moderator = moderator.clone();
                    async move {
                        let name = format!("Remote person {i}");
                        (name.clone(), moderator.add(OnlineEntry::new(name)).await)
                    }
                })
                .buffer_unordered(IN_FLIGHT)
                .collect::<Vec<_>>()
                .await
        })
    };

    // Restart once both have had a share of their requests acknowledged,
    // with more in flight.
    display
        .wait_until(|s| s.seq() >= PER_CLIENT as u64 / 2)
        .await;
    floor.restart();

    let mut acked = BTreeMap::new();
    for (name, result) in onsite
        .await
        .unwrap()
        .into_iter()
        .chain(online.await.unwrap())
    {
        let id = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(acked.insert(name, id).is_none());
    }
    assert!(runner_resumed.await.unwrap(), "the runner resumed");
    assert!(moderator_resumed.await.unwrap(), "the moderator resumed");

    // Exactly once: one entry per request, with the acknowledged id.
    let broker = floor.room_state(&tokens).await;
    assert_eq!(broker.view().entries.len(), 2 * PER_CLIENT);
    let held: BTreeMap<String, uuid::Uuid> = broker
        .view()
        .entries
        .iter()
        .map(|e| (e.person.name.clone(), e.id))
        .collect();
    assert_eq!(held, acked);

    // Every client holds exactly the broker's state.
    for client in [runner.client(), moderator.client(), &display] {
        let state = tokio::time::timeout(DEADLINE, client.wait_until(|s| s.seq() == broker.seq()))
            .await
            .expect("the client caught up");
        assert_eq!(state.epoch(), broker.epoch());
        assert_eq!(state.view(), broker.view());
        assert_eq!(state.order(), broker.order());
    }
}
