//! The supervisors, with faults injected (test builds only): a room task
//! and the writer thread that panic are logged, reported by `/healthz`
//! while dead, and serve again from the log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use floor_protocol::Command;
use floor_protocol::message::SnapshotReason;

use super::arm_fault;
use crate::room::RoomMsg;
use crate::{Broker, Config};

fn open(dir: &std::path::Path) -> Arc<Broker> {
    let config = Config::new("127.0.0.1:0".parse().unwrap(), dir.to_path_buf());
    Broker::open(config).unwrap().broker
}

/// Waits (up to 10 s) until `/healthz` answers `status`; returns its body.
async fn health_turns(broker: &Broker, status: u16) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (now, body) = crate::http::health(broker);
        if now.as_u16() == status {
            return body;
        }
        assert!(tokio::time::Instant::now() < deadline, "{now} {body}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The room's seq, from its snapshot.
async fn seq(broker: &Broker, room: &str) -> u64 {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let reason = SnapshotReason::Requested;
    let handle = broker.room(room).unwrap();
    let audience = floor_core::audience::Audience::Staff;
    let snapshot = RoomMsg::Snapshot {
        reason,
        audience,
        reply,
    };
    assert!(handle.send(snapshot).await);
    answer.await.unwrap().1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_task_that_panics_is_reported_and_loaded_again_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let broker = open(dir.path());
    broker.create_room("r", "Room").await.unwrap();
    broker
        .run_as_chair("r", "c1", Command::CloseQueue {})
        .await
        .unwrap();
    let (status, body) = crate::http::health(&broker);
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(body["failed_rooms"], serde_json::json!([]));

    // The task dies in the middle of a batch, and its first load fails.
    arm_fault("room", "r");
    arm_fault("room-load", "r");
    let lost = broker.run_as_chair("r", "o1", Command::OpenQueue {}).await;
    assert!(lost.is_err(), "no answer from a dead task");
    let body = health_turns(&broker, 503).await;
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["storage"], "available");
    assert_eq!(body["failed_rooms"], serde_json::json!(["r"]));
    assert!(
        body["problems"][0].as_str().unwrap().contains("room r"),
        "{body}"
    );
    // Meanwhile its commands are refused, not lost.
    let refused = broker
        .run_as_chair("r", "o2", Command::OpenQueue {})
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("cannot persist"), "{refused}");

    // Loaded again: the log's state, and it takes commands.
    health_turns(&broker, 200).await;
    assert_eq!(seq(&broker, "r").await, 1, "what the log held");
    broker
        .run_as_chair("r", "o3", Command::OpenQueue {})
        .await
        .unwrap();
    assert_eq!(seq(&broker, "r").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_that_panics_is_reported_and_reopens_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let broker = open(dir.path());
    broker.create_room("w", "Room").await.unwrap();
    broker
        .run_as_chair("w", "c1", Command::CloseQueue {})
        .await
        .unwrap();
    let path = dir.path().join("floor.db").display().to_string();
    arm_fault("writer", &path);
    arm_fault("writer-reopen", &path);
    let refused = broker
        .run_as_chair("w", "o1", Command::OpenQueue {})
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("cannot persist"), "{refused}");
    let body = health_turns(&broker, 503).await;
    assert_eq!(body["storage"], "unavailable");
    assert!(
        body["problems"][0]
            .as_str()
            .unwrap()
            .contains("writer thread panicked"),
        "{body}"
    );
    // The writer reopens the store (its first attempt fails) and writes
    // resume.
    health_turns(&broker, 200).await;
    broker
        .run_as_chair("w", "o2", Command::OpenQueue {})
        .await
        .unwrap();
    assert_eq!(seq(&broker, "w").await, 2);
}
