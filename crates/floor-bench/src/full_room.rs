//! The full room: a room at its cap of open entries (the default limits)
//! with 1,000 screens reading, while the chair works the queue at 10
//! commands a second: `next` (and the runner's new hand that keeps the
//! room full), an edit of a request's text, a pin and an unpin. It reports
//! the chair's acknowledgement latency and the bytes each screen receives
//! per command, for screens that read the compact `order` (as the pages
//! do) and for one that does not.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::hostile::{fill, read_answer};
use crate::load::{self, Socket};
use crate::report::Row;
use crate::scenario::{Plan, emit, round2, settle};
use crate::server::{Endpoint, Kind, Server};
use crate::stages::Stages;

/// The full room's scenario name in its rows.
pub const FULL_ROOM: &str = "full_room";

/// Screens reading the room.
pub const SCREENS: usize = 1_000;

/// Chair commands a second.
const CHAIR_RATE: f64 = 10.0;

/// The full room's case name.
pub fn full_room_case() -> String {
    format!("default cap of open entries, {SCREENS} screens")
}

/// What the screens received.
#[derive(Default)]
struct Received {
    /// Bytes of text messages, over every compact screen.
    compact: Cell<u64>,
    /// Bytes of the one screen that reads every slot written out.
    full: Cell<u64>,
    /// Screens whose connection ended.
    closed: Cell<u64>,
}

/// Opens a screen that adds what it receives to `counter`.
async fn screen(
    server: &Server,
    i: usize,
    compact: bool,
    received: &Rc<Received>,
) -> anyhow::Result<()> {
    let mut ws = if compact {
        load::open(server, 0, "display", i, None).await?
    } else {
        let tokens = server.rooms.first().context("a room")?;
        let mut ws = load::connect(server.addr, &server.subscribe_url(0), i, None).await?;
        ws.send(Message::text(
            tokens.hello("display", &format!("full-{i}")).to_string(),
        ))
        .await?;
        load::read_until(&mut ws, |m| m["type"] == "snapshot").await?;
        ws
    };
    let received = received.clone();
    tokio::task::spawn_local(async move {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Text(text) = message {
                let counter = if compact {
                    &received.compact
                } else {
                    &received.full
                };
                counter.set(counter.get() + text.len() as u64);
            }
        }
        received.closed.set(received.closed.get() + 1);
    });
    Ok(())
}

/// Sends one command and waits for its answer; returns it and how long it
/// took.
async fn command(ws: &mut Socket, n: usize, command: Value) -> anyhow::Result<(Value, Duration)> {
    let started = Instant::now();
    let message = json!({"type": "command", "request_id": format!("full-{n}"), "command": command});
    ws.send(Message::text(message.to_string())).await?;
    let answer = read_answer(ws).await?;
    Ok((answer, started.elapsed()))
}

/// What the chair's work gave.
struct Chair {
    /// Acknowledgement latencies of the chair's commands, µs.
    latency: Histogram<u64>,
    /// Commands sent, the runner's included.
    commands: u64,
    /// Chair commands refused.
    refused: u64,
}

/// The chair's commands at [`CHAIR_RATE`] for `seconds`, each waited for,
/// and after each `next` the runner's new hand that keeps the room full.
async fn work(server: &Endpoint, ids: &[String], seconds: f64) -> anyhow::Result<Chair> {
    let mut chair = load::open(server, 0, "chair", 2_000_000, None).await?;
    let mut runner = load::open(server, 0, "runner", 2_000_001, None).await?;
    let total = (CHAIR_RATE * seconds).round() as usize;
    let mut latency = load::histogram();
    let mut commands = 0u64;
    let mut refused = 0u64;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / CHAIR_RATE));
    // Requests far from the head of the queue: `next` never reaches them.
    let far = |k: usize| ids[ids.len() - 1 - k % (ids.len() / 2)].clone();
    for n in 0..total {
        ticker.tick().await;
        let k = n / 4;
        let chair_command = match n % 4 {
            0 => json!({"type": "next"}),
            1 => {
                json!({"type": "edit", "entry_id": far(k), "patch": {"text": format!("Reworded, take {n}")}})
            }
            2 => json!({"type": "pin", "entry_id": far(k)}),
            _ => json!({"type": "unpin", "entry_id": far(k)}),
        };
        let (answer, took) = command(&mut chair, n, chair_command).await?;
        commands += 1;
        if answer["type"] == "ack" {
            latency.record(took.as_micros().max(1) as u64)?;
        } else {
            refused += 1;
        }
        if n % 4 == 0 && n > 0 {
            // The speaker before has finished: a new hand takes the place.
            let hand = json!({"type": "submit", "entry": {"channel": "onsite", "kind": "question",
                "person": {"name": format!("Late hand {n}")}, "text": "A late question from the back row."}});
            let (answer, _) = command(&mut runner, n, hand).await?;
            anyhow::ensure!(answer["type"] == "ack", "the runner's hand: {answer}");
            commands += 1;
        }
    }
    Ok(Chair {
        latency,
        commands,
        refused,
    })
}

/// The scenario (floor only).
pub async fn full_room(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    if !plan.servers.contains(&Kind::Floor) {
        return Ok(());
    }
    let server = Server::floor(&plan.programs, 1, &[]).await?;
    let ids = fill(&server, floor_protocol::limits::OPEN_ENTRIES_MAX as usize).await?;
    let open = ids.len();
    anyhow::ensure!(open >= 10, "the room took only {open} entries");
    let received = Rc::new(Received::default());
    let opened: Vec<anyhow::Result<()>> = futures_util::stream::iter(0..SCREENS)
        .map(|i| screen(&server, i, true, &received))
        .buffer_unordered(64)
        .collect()
        .await;
    for screen in opened {
        screen?;
    }
    screen(&server, SCREENS, false, &received).await?;
    settle(&server).await?;
    let (compact_before, full_before) = (received.compact.get(), received.full.get());
    let seconds = plan.secs(20.0, 5.0);
    // The chair and the runner on a thread of their own: on the
    // generator's, an `ack` would wait behind a thousand screens' frames.
    let stages_before = Stages::read(&server.addrs).await?;
    let endpoint: Endpoint = (*server).clone();
    let chair =
        load::on_own_thread(move || async move { work(&endpoint, &ids, seconds).await }).await?;
    settle(&server).await?;
    let commands = chair.commands;
    let per_command = |bytes: u64, screens: usize| {
        (bytes as f64 / screens.max(1) as f64 / commands.max(1) as f64).round()
    };
    let ms = |q: f64| round2(chair.latency.value_at_quantile(q) as f64 / 1000.0);
    let mut row = Row::new(FULL_ROOM, full_room_case(), Kind::Floor);
    row.set("open_entries", open)
        .set("screens", SCREENS)
        .set("commands", commands)
        .set("chair_refused", chair.refused)
        .set("chair_ack_p50_ms", ms(0.5))
        .set("chair_ack_p99_ms", ms(0.99))
        .set("chair_ack_max_ms", ms(1.0))
        .set(
            "screen_bytes_per_command",
            per_command(received.compact.get() - compact_before, SCREENS),
        )
        .set(
            "screen_bytes_per_command_full_order",
            per_command(received.full.get() - full_before, 1),
        )
        .set("screens_closed", received.closed.get());
    // Where the chair's commands spent their time inside the broker.
    Stages::read(&server.addrs)
        .await?
        .since(&stages_before)
        .report(&mut row);
    emit(row, rows);
    Ok(())
}
