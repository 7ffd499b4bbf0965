//! Scenario 5: recovery, from the embedded log and from JetStream.

use std::time::Instant;

use serde_json::json;

use super::{Plan, emit, round2};
use crate::report::Row;
use crate::server::Kind;

/// The recovery scenario's log: (rooms, events per room).
pub fn recovery_size(quick: bool) -> (usize, usize) {
    if quick { (10, 10_000) } else { (100, 10_000) }
}

/// The recovery scenario's name in its rows.
pub const RECOVERY: &str = "recovery";

/// The case of a start from a log of `rooms` × `per_room` events, its
/// page `cache` `warm` or `cold`.
pub fn recovery_case(rooms: usize, per_room: usize, cache: &str) -> String {
    format!(
        "{} events in {rooms} rooms, {cache} cache",
        rooms * per_room
    )
}

/// The events of the room the shared store first loads.
pub fn first_load_events(quick: bool) -> usize {
    if quick { 10_000 } else { 100_000 }
}

/// The case of the shared store's first load of a room of `events`.
pub fn first_load_case(events: usize) -> String {
    format!("first load of 1 room of {events} events from JetStream")
}

/// Scenario 5 (floor only): recovery. A log of 1,000,000 events across
/// 100 rooms (100,000 across 10 when quick), generated through the core
/// as real sessions; then the time from process start to serving, with
/// the log in the page cache (warm) and evicted from it (cold), on the
/// server's one CPU; and warm again on every CPU of the machine (the
/// rebuild runs a thread per core), reported beside the targets.
pub async fn recovery(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    if plan.servers.contains(&Kind::FloorShared) {
        shared_first_load(plan, rows).await?;
    }
    if !plan.servers.contains(&Kind::Floor) {
        return Ok(());
    }
    let (rooms, per_room) = recovery_size(plan.quick);
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let t = Instant::now();
    let bytes = crate::generate::log(&data.join("floor.db"), rooms, per_room)?;
    let generated_s = t.elapsed().as_secs_f64();
    for cache in ["warm", "cold"] {
        // Warm: one start first, so the log is in the page cache.
        if cache == "warm" {
            drop(crate::server::start_floor_on(&data, &plan.programs, &[])?);
        }
        let evicted = if cache == "cold" {
            Some(crate::generate::evict(&data)?)
        } else {
            None
        };
        let serving = time_start(&data, &plan.programs.server_cpu.to_string())?;
        let mut row = Row::new(RECOVERY, recovery_case(rooms, per_room, cache), Kind::Floor);
        row.set("start_to_serving_ms", round2(serving.as_secs_f64() * 1e3))
            .set("log_mb", round2(bytes as f64 / 1e6))
            .set("generated_in_s", round2(generated_s));
        if let Some(how) = evicted {
            row.set("evicted_by", how);
        }
        emit(row, rows);
    }
    // The machine's cores, not this process's (the bench runs pinned).
    let cores = std::fs::read_to_string("/proc/cpuinfo")
        .map_or(1, |cpuinfo| crate::machine::cpu_count(&cpuinfo));
    if cores > 1 {
        let cpus = format!("0-{}", cores - 1);
        drop(crate::server::start_floor_pinned(&data, &cpus, &[])?);
        let serving = time_start(&data, &cpus)?;
        let case = format!("{}, {cores} cores", recovery_case(rooms, per_room, "warm"));
        let mut row = Row::new(RECOVERY, case, Kind::Floor);
        row.set("start_to_serving_ms", round2(serving.as_secs_f64() * 1e3))
            .set("log_mb", round2(bytes as f64 / 1e6));
        emit(row, rows);
    }
    Ok(())
}

/// How long a broker on `data`, pinned to `cpus`, takes from its start to
/// serving.
fn time_start(data: &std::path::Path, cpus: &str) -> anyhow::Result<std::time::Duration> {
    let started = Instant::now();
    let floor = crate::server::start_floor_pinned(data, cpus, &[])?;
    let serving = started.elapsed();
    drop(floor);
    Ok(serving)
}

/// A broker's first load of a room from JetStream: from the room's
/// checkpoint and the commits after it. Writes one room of 100,000 events
/// (10,000 with `--quick`) as brokers write it, its last checkpoint
/// `INTERVAL - 1` events before the end (as in the embedded log), starts a
/// broker on the store, and times a display's `hello` to its `welcome`.
async fn shared_first_load(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    use floor_broker::shared::{Shared as Store, SharedConfig};
    let events = first_load_events(plan.quick);
    let dir = tempfile::tempdir()?;
    let nats = floor_tests::nats::Nats::single(&dir.path().join("nats"));
    let store = Store::connect(&SharedConfig {
        servers: nats.urls(),
        replicas: None,
    })
    .await?;
    let display = floor_broker::auth::new_token();
    let t = Instant::now();
    crate::generate::shared_room(&store, "big", events, &display).await?;
    let generated_s = t.elapsed().as_secs_f64();
    let servers = nats.urls();
    let floor = crate::server::start_floor_on(
        &dir.path().join("data"),
        &plan.programs,
        &["--store", &servers],
    )?;
    let hello = json!({
        "type": "hello", "protocol": 1, "room": "big", "token": display, "client_id": "bench",
    });
    let started = Instant::now();
    let mut client = floor_tests::Client::raw(floor_tests::Client::open(&floor).await);
    client.send(&hello).await;
    let welcome = client.next().await;
    let welcomed = started.elapsed();
    anyhow::ensure!(welcome["type"] == "welcome", "refused: {welcome}");
    let mut row = Row::new(RECOVERY, first_load_case(events), Kind::FloorShared);
    row.set("hello_to_welcome_ms", round2(welcomed.as_secs_f64() * 1e3))
        .set("generated_in_s", round2(generated_s));
    emit(row, rows);
    Ok(())
}
