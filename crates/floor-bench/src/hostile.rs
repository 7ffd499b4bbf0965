//! The hostile room: what one laptop holding the public participant link
//! can do to a full room, measured. floor runs with the limits a
//! deployment has by default; the room is filled to its cap of open
//! entries; then, twice, 1,000 WebSockets from one address say a
//! participant `hello` and never read, while a flood of participant
//! `submit`s with a fresh client id each comes from that address too, and
//! the chair keeps editing an entry. It reports the broker's RSS (before,
//! at its peak, and 15 s after each wave has gone), the chair's acknowledgement
//! latency during the attack, what the flood got, and the bytes a healthy
//! screen receives per command.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;

use crate::load::{self, Publisher, Socket};
use crate::report::Row;
use crate::scenario::{Plan, emit, round2, settle};
use crate::server::{Kind, Server};

/// The hostile room's scenario name in its rows.
pub const HOSTILE: &str = "hostile_room";

/// The attacker's one address.
const ATTACKER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 66);
/// Sockets that never read, per wave.
const SILENT: usize = 1_000;
/// Participant submits in the flood, per wave.
const FLOOD: usize = 300;
/// How long after a wave its memory is measured.
const RETURN_DELAY: Duration = Duration::from_secs(15);
/// Chair commands a second during a wave.
const CHAIR_RATE: f64 = 10.0;

/// Opens a WebSocket from the attacker's address with a tiny receive
/// buffer, so the broker's writes stall at once.
async fn attacker_socket(addr: SocketAddr, url: &str) -> anyhow::Result<Socket> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((ATTACKER, 0)))?;
    socket.set_recv_buffer_size(4096)?;
    let stream = socket.connect(addr).await?;
    let (ws, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .with_context(|| format!("WebSocket handshake with {url}"))?;
    Ok(ws)
}

/// Submits onsite hands as the mic runner (staff: not the participants'
/// budget) from several connections until the room refuses with
/// `room_full` or `limit` entries are open; returns the ids of the entries
/// it opened, in order.
pub(crate) async fn fill(server: &Server, limit: usize) -> anyhow::Result<Vec<String>> {
    let tokens = server.rooms.first().context("a room")?;
    let mut open = 0;
    let mut ids = Vec::new();
    let mut batch = 0;
    while open < limit {
        let mut ws = load::connect(server.addr, &server.publish_url(0), 5000 + batch, None).await?;
        ws.send(Message::text(
            tokens
                .hello("runner", &format!("filler-{batch}"))
                .to_string(),
        ))
        .await?;
        load::read_until(&mut ws, |m| m["type"] == "snapshot").await?;
        // The default burst of one connection.
        let burst = (limit - open).min(40);
        for i in 0..burst {
            let n = open + i;
            let submit = json!({"type": "command", "request_id": format!("fill-{n}"), "command": {
                "type": "submit",
                "entry": {"channel": "onsite", "kind": "question",
                    "person": {"name": format!("Hand {n}"), "affiliation": "Hostile room"},
                    "text": "A question that waits its turn, like the five hundred others in the room today."}
            }});
            ws.send(Message::text(submit.to_string())).await?;
        }
        let mut answered = 0;
        let mut full = false;
        while answered < burst {
            let answer = read_answer(&mut ws).await?;
            answered += 1;
            match answer["type"].as_str() {
                Some("ack") => {
                    open += 1;
                    ids.extend(answer["entry_id"].as_str().map(str::to_owned));
                }
                _ if answer["code"] == "room_full" => full = true,
                _ => anyhow::bail!("filling the room: {answer}"),
            }
        }
        batch += 1;
        if full {
            break;
        }
    }
    Ok(ids)
}

/// The next `ack` or `error` on `ws`.
pub(crate) async fn read_answer(ws: &mut Socket) -> anyhow::Result<Value> {
    while let Some(message) = ws.next().await {
        if let Message::Text(text) = message? {
            let value: Value = serde_json::from_str(&text)?;
            if matches!(value["type"].as_str(), Some("ack" | "error")) {
                return Ok(value);
            }
        }
    }
    anyhow::bail!("the connection closed")
}

/// What one wave of the attack did.
struct Wave {
    peak_rss: u64,
    after_rss: u64,
    flood: BTreeMap<String, u64>,
    silent_opened: usize,
}

/// One wave: the silent sockets and the flood, while the RSS is sampled.
async fn wave(server: &Server, number: usize) -> anyhow::Result<Wave> {
    let tokens = server.rooms.first().context("a room")?.clone();
    let url = server.subscribe_url(0);
    let mut peak = server.rss_bytes()?;
    let mut silent = Vec::with_capacity(SILENT);
    let opened: Vec<anyhow::Result<Socket>> = futures_util::stream::iter(0..SILENT)
        .map(|i| {
            let hello = tokens.participant(&format!("silent-{number}-{i}"), "online");
            let (addr, url) = (server.addr, url.clone());
            async move {
                let mut ws = attacker_socket(addr, &url).await?;
                ws.send(Message::text(hello.to_string())).await?;
                Ok(ws)
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    for ws in opened {
        silent.push(ws?);
        peak = peak.max(server.rss_bytes()?);
    }
    // The flood: a fresh client id for every submit, all from one address.
    let mut flood: BTreeMap<String, u64> = BTreeMap::new();
    for i in 0..FLOOD {
        let hello = tokens.participant(&format!("flood-{number}-{i}"), "online");
        let mut ws = attacker_socket(server.addr, &url).await?;
        ws.send(Message::text(hello.to_string())).await?;
        let submit = json!({"type": "command", "request_id": "flood", "command": {
            "type": "submit",
            "entry": {"channel": "online", "kind": "comment",
                "person": {"name": format!("Flood {number}-{i}")}, "text": "spam"}
        }});
        ws.send(Message::text(submit.to_string())).await?;
        let outcome = match read_answer(&mut ws).await {
            Ok(answer) if answer["type"] == "ack" => "acked".to_owned(),
            Ok(answer) => answer["code"].as_str().unwrap_or("error").to_owned(),
            Err(_) => "closed".to_owned(),
        };
        *flood.entry(outcome).or_default() += 1;
        peak = peak.max(server.rss_bytes()?);
    }
    // Hold the silent sockets a while, sampling.
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(200)).await;
        peak = peak.max(server.rss_bytes()?);
    }
    let silent_opened = silent.len();
    drop(silent);
    settle(server).await?;
    // An allocator hands freed pages back after a delay of its own
    // (jemalloc's decay: 10 s): the figure after is taken past it.
    tokio::time::sleep(RETURN_DELAY).await;
    let after_rss = server.rss_bytes()?;
    let peak_rss = peak;
    Ok(Wave {
        peak_rss,
        after_rss,
        flood,
        silent_opened,
    })
}

/// The scenario (floor only).
pub async fn hostile_room(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    if !plan.servers.contains(&Kind::Floor) {
        return Ok(());
    }
    let server = Server::floor(&plan.programs, 1, &[]).await?;
    // The chair's entry first: a full room takes no more.
    let mut chair = Publisher::open(&server, 0, 0).await?;
    let open = fill(&server, 500).await?.len() + 1;
    // A healthy screen, counting what it receives.
    let mut screen = load::open(&server, 0, "display", 0, None).await?;
    let received = Rc::new(RefCell::new(0u64));
    let counter = received.clone();
    tokio::task::spawn_local(async move {
        while let Some(Ok(message)) = screen.next().await {
            if let Message::Text(text) = message {
                *counter.borrow_mut() += text.len() as u64;
            }
        }
    });
    settle(&server).await?;
    let before = server.rss_bytes()?;
    let acks = chair.acks();
    let start_bytes = *received.borrow();
    let started = chair.sent;
    // The chair works through both waves.
    let mut waves = Vec::new();
    for number in 0..2 {
        let attack = wave(&server, number);
        tokio::pin!(attack);
        let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / CHAIR_RATE));
        let result = loop {
            tokio::select! {
                result = &mut attack => break result?,
                _ = ticker.tick() => chair.publish().await?,
            }
        };
        waves.push(result);
    }
    let commands = chair.sent - started;
    load::Acks::wait_answered(&acks, chair.sent).await;
    let bytes = *received.borrow() - start_bytes;
    let acks = acks.borrow();
    let ms = |q: f64| round2(acks.latency_us.value_at_quantile(q) as f64 / 1000.0);
    let mb = |b: u64| round2(b as f64 / 1e6);
    let mut row = Row::new(
        HOSTILE,
        format!("{open} open entries, {SILENT} silent sockets + {FLOOD} submits, twice"),
        Kind::Floor,
    );
    row.set("open_entries", open)
        .set("rss_before_mb", mb(before))
        .set("rss_peak_mb", mb(waves[0].peak_rss))
        .set("rss_after_mb", mb(waves[0].after_rss))
        .set("rss_peak_second_wave_mb", mb(waves[1].peak_rss))
        .set("rss_after_second_wave_mb", mb(waves[1].after_rss))
        .set(
            "rss_growth_mb",
            mb(waves
                .iter()
                .map(|w| w.peak_rss)
                .max()
                .unwrap_or(before)
                .saturating_sub(before)),
        )
        .set("silent_sockets", waves[0].silent_opened)
        .set("flood", json!(waves[0].flood))
        .set("flood_second_wave", json!(waves[1].flood))
        .set("chair_commands", commands)
        .set("chair_refused", acks.refused)
        .set("chair_ack_p50_ms", ms(0.5))
        .set("chair_ack_p99_ms", ms(0.99))
        .set(
            "screen_bytes_per_command",
            (bytes as f64 / commands.max(1) as f64).round(),
        );
    emit(row, rows);
    Ok(())
}
