//! Five of the six scenarios (the hostile room is `hostile.rs`). Each starts its own server(s), measures, prints
//! each row as a JSON line as soon as it has it, and returns the rows.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::load::{self, Publisher, Seen, Shared};
use crate::report::Row;
use crate::server::{Kind, Programs, Server};

/// p99 past this is over capacity.
const CAPACITY_P99_US: u64 = 250_000;

/// How a run is sized.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The reduced run.
    pub quick: bool,
    /// The servers to measure.
    pub servers: Vec<Kind>,
    /// Where the servers' programs are.
    pub programs: Programs,
}

impl Plan {
    fn secs(&self, full: f64, quick: f64) -> f64 {
        if self.quick { quick } else { full }
    }
}

pub(crate) fn emit(row: Row, rows: &mut Vec<Row>) {
    println!("{}", row.json());
    rows.push(row);
}

/// Per-delivery CPU, user and system, in µs.
fn cpu_per(before: (u64, u64), after: (u64, u64), deliveries: u64) -> (f64, f64) {
    let n = deliveries.max(1) as f64;
    (
        after.0.saturating_sub(before.0) as f64 / n,
        after.1.saturating_sub(before.1) as f64 / n,
    )
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A room fan-out under way: the server, its subscribers and publishers.
struct Fanout {
    server: Server,
    seen: Shared,
    publishers: Vec<Publisher>,
}

impl Fanout {
    async fn start(
        kind: Kind,
        plan: &Plan,
        rooms: usize,
        per_room: usize,
    ) -> anyhow::Result<Fanout> {
        let server = Server::start(kind, &plan.programs, rooms).await?;
        let seen: Shared = Rc::new(RefCell::new(Seen::new(rooms)));
        for room in 0..rooms {
            load::subscribe(&server, room, per_room, room * per_room, &seen).await?;
        }
        let mut publishers = Vec::new();
        for room in 0..rooms {
            publishers.push(Publisher::open(&server, room, room).await?);
        }
        Ok(Fanout {
            server,
            seen,
            publishers,
        })
    }

    /// Publishes at `rate` per room for `seconds` and waits for delivery;
    /// returns the row's figures.
    async fn measure(
        &mut self,
        rate: f64,
        seconds: f64,
        row: &mut Row,
    ) -> anyhow::Result<(bool, u64)> {
        self.seen.borrow_mut().reset();
        let cpu0 = self.server.cpu_us()?;
        let started = Instant::now();
        let sent = load::publish_at(&mut self.publishers, rate, seconds).await?;
        let upto: Vec<u64> = self.publishers.iter().map(|p| p.sent).collect();
        let drained = load::drained(&self.seen, &upto, Duration::from_secs(20)).await;
        let elapsed = started.elapsed().as_secs_f64();
        let cpu1 = self.server.cpu_us()?;
        let seen = self.seen.borrow();
        let (user, sys) = cpu_per(cpu0, cpu1, seen.deliveries);
        row.set("rate_msg_s", rate)
            .set("published", sent)
            .latency("", &seen.latency_us)
            .set("deliveries", seen.deliveries)
            .set(
                "deliveries_per_s",
                (seen.deliveries as f64 / elapsed).round(),
            )
            .set("cpu_us_per_delivery_user", round2(user))
            .set("cpu_us_per_delivery_sys", round2(sys))
            .set("cpu_us_per_delivery", round2(user + sys))
            .set("frames", seen.frames)
            .set("other_frames", seen.other)
            .set("gaps", seen.gaps)
            .set("duplicates", seen.duplicates)
            .set("disconnected", seen.closed)
            .set("all_delivered", drained);
        let ok = drained
            && seen.gaps == 0
            && !seen.latency_us.is_empty()
            && seen.latency_us.value_at_quantile(0.99) <= CAPACITY_P99_US;
        Ok((ok, seen.deliveries))
    }
}

/// Scenario 1: fan-out to 1,000 and 10,000 subscribers of one room and to
/// 10 rooms × 1,000: first at 2 messages/s, then stepped up until p99
/// passes 250 ms (the capacity: deliveries/s of the last step within it).
pub async fn fanout(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let cases: Vec<(usize, usize)> = if plan.quick {
        vec![(1, 1000)]
    } else {
        vec![(1, 1000), (1, 10_000), (10, 1000)]
    };
    for (rooms, per_room) in cases {
        for &kind in &plan.servers {
            let case = if rooms == 1 {
                format!("1 room x {per_room} subscribers")
            } else {
                format!("{rooms} rooms x {per_room} subscribers")
            };
            let mut run = Fanout::start(kind, plan, rooms, per_room).await?;
            let mut row = Row::new("fanout", format!("{case}, 2 msg/s"), kind);
            run.measure(2.0, plan.secs(5.0, 3.0), &mut row).await?;
            emit(row, rows);

            // Capacity: step the rate up by half each time.
            let mut rate = 2.0_f64.max(20_000.0 / (rooms * per_room) as f64);
            // Each step is printed as a JSON line; the table keeps the
            // last step within 250 ms and the first one past it.
            let mut best: Option<Row> = None;
            let mut past: Option<Row> = None;
            for _ in 0..14 {
                let mut row = Row::new("fanout", format!("{case}, capacity"), kind);
                // A server past its capacity may drop the publisher (its
                // replies pile up unread): that step is past capacity too.
                let ok = match run.measure(rate, plan.secs(2.0, 1.5), &mut row).await {
                    Ok((ok, _)) => ok,
                    Err(error) => {
                        row.set("rate_msg_s", rate)
                            .set("error", format!("{error:#}"));
                        false
                    }
                };
                println!("{}", row.json());
                if !ok {
                    row.case = format!("{case}, first step past capacity");
                    past = Some(row);
                    break;
                }
                best = Some(row);
                rate = (rate * 1.5).round();
            }
            let best = best.unwrap_or_else(|| {
                let mut row = Row::new("fanout", format!("{case}, capacity"), kind);
                row.set("rate_msg_s", json!(null));
                row
            });
            rows.push(best);
            if let Some(row) = past {
                rows.push(row);
            }
        }
    }
    Ok(())
}

/// Scenario 2: the fan-out to 1,000 at 100 messages/s, without and with
/// one subscriber that stops reading (a 4 KiB receive buffer, never
/// read): the others' p99, the server's peak memory, and whether the
/// laggard was disconnected.
pub async fn slow_consumer(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let rate = 100.0;
    let seconds = plan.secs(12.0, 4.0);
    // Two brokers are measured in the fan-out only.
    for &kind in plan.servers.iter().filter(|k| **k != Kind::FloorShared) {
        for with_laggard in [false, true] {
            let case = if with_laggard {
                "1 room x 1000 subscribers + 1 that stops reading, 100 msg/s"
            } else {
                "1 room x 1000 subscribers, 100 msg/s (baseline)"
            };
            let mut run = Fanout::start(kind, plan, 1, 1000).await?;
            let laggard = if with_laggard {
                Some(load::open(&run.server, 0, "display", 999_999, Some(4096)).await?)
            } else {
                None
            };
            let peak = Rc::new(RefCell::new(run.server.rss_bytes()?));
            let pid = run.server.pids()[0];
            let sampler = {
                let peak = peak.clone();
                tokio::task::spawn_local(async move {
                    loop {
                        if let Ok(status) =
                            procfs::process::Process::new(pid as i32).and_then(|p| p.status())
                        {
                            let rss = status.vmrss.unwrap_or(0) * 1024;
                            let mut peak = peak.borrow_mut();
                            *peak = (*peak).max(rss);
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                })
            };
            let mut row = Row::new("slow_consumer", case, kind);
            run.measure(rate, seconds, &mut row).await?;
            sampler.abort();
            row.set("peak_rss_mb", round2(*peak.borrow() as f64 / 1e6));
            if let Some(mut laggard) = laggard {
                // Read what the server kept for it: a disconnected laggard
                // ends in a close or an error; a kept one just goes quiet.
                let ended = tokio::time::timeout(Duration::from_secs(3), async {
                    loop {
                        match laggard.next().await {
                            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return true,
                            Some(Ok(_)) => {}
                        }
                    }
                })
                .await
                .unwrap_or(false);
                row.set("laggard_disconnected", ended);
            }
            emit(row, rows);
        }
    }
    Ok(())
}

/// Scenario 3: idle connections. Server RSS before, with N idle
/// subscribers, and after they left; user-space bytes per connection.
pub async fn idle(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let sizes: &[usize] = if plan.quick { &[1000] } else { &[1000, 10_000] };
    for &n in sizes {
        for &kind in plan.servers.iter().filter(|k| **k != Kind::FloorShared) {
            let server = Server::start(kind, &plan.programs, 1).await?;
            settle(&server).await?;
            let before = server.rss_bytes()?;
            let mut sockets = Vec::with_capacity(n);
            let opened: Vec<anyhow::Result<load::Socket>> = futures_util::stream::iter(0..n)
                .map(|i| load::open(&server, 0, "display", i, None))
                .buffer_unordered(64)
                .collect()
                .await;
            for ws in opened {
                sockets.push(ws?);
            }
            settle(&server).await?;
            let with = server.rss_bytes()?;
            for mut ws in sockets {
                let _ = ws.close(None).await;
            }
            settle(&server).await?;
            let after = server.rss_bytes()?;
            let per = with.saturating_sub(before) as f64 / n as f64;
            let mut row = Row::new("idle_memory", format!("{n} idle connections"), kind);
            row.set("rss_before_mb", round2(before as f64 / 1e6))
                .set("rss_connected_mb", round2(with as f64 / 1e6))
                .set("bytes_per_connection", per.round())
                .set("rss_after_leaving_mb", round2(after as f64 / 1e6))
                .set(
                    "returned_share",
                    round2(
                        with.saturating_sub(after) as f64
                            / with.saturating_sub(before).max(1) as f64,
                    ),
                );
            emit(row, rows);
        }
    }
    Ok(())
}

/// Waits until the server's RSS stops moving (three readings 200 ms
/// apart within 1%), at most 5 s.
pub(crate) async fn settle(server: &Server) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = server.rss_bytes()?;
    let mut steady = 0;
    while Instant::now() < deadline && steady < 3 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = server.rss_bytes()?;
        if now.abs_diff(last) * 100 <= last {
            steady += 1;
        } else {
            steady = 0;
        }
        last = now;
    }
    Ok(())
}

/// Scenario 4 (floor only: B0 and B1 keep nothing): durable writes. The
/// raw fdatasync rate of the data directory's disk; then 1-8 writer
/// connections in closed loop, and 1,000 commands/s offered in open loop,
/// with 0 and 1,000 display subscribers in the room; on one broker, and on
/// two sharing the room through JetStream (floor x2).
pub async fn durable_writes(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    if !plan.servers.contains(&Kind::Floor) && !plan.servers.contains(&Kind::FloorShared) {
        return Ok(());
    }
    let seconds = plan.secs(3.0, 2.0);
    if plan.servers.contains(&Kind::Floor) {
        let probe = Server::start(Kind::Floor, &plan.programs, 1).await?;
        let dir = probe.data_dir().context("a data directory")?.to_path_buf();
        drop(probe);
        let mut row = Row::new(
            "durable_writes",
            "raw fdatasync, 200 B appends",
            Kind::Floor,
        );
        let (rate, h) = fdatasync_rate(&dir, seconds)?;
        row.set("ops_per_s", rate.round()).latency("", &h);
        emit(row, rows);
    }

    // One broker on the embedded log, and two brokers sharing the room
    // through JetStream (their writers on the first broker).
    let kinds = [Kind::Floor, Kind::FloorShared];
    for kind in kinds.into_iter().filter(|k| plan.servers.contains(k)) {
        let subscriber_counts: &[usize] = if plan.quick { &[0] } else { &[0, 1000] };
        for &subscribers in subscriber_counts {
            let writer_counts: &[usize] = if plan.quick { &[1, 8] } else { &[1, 2, 4, 8] };
            for &writers in writer_counts {
                let server = Server::start(kind, &plan.programs, 1).await?;
                let seen: Shared = Rc::new(RefCell::new(Seen::new(1)));
                load::subscribe(&server, 0, subscribers, 0, &seen).await?;
                let endpoint = (*server).clone();
                let (total, h, elapsed) = load::on_own_thread(move || async move {
                    let mut publishers = Vec::new();
                    for w in 0..writers {
                        publishers.push(Publisher::open(&endpoint, 0, w).await?);
                    }
                    let started = Instant::now();
                    let tasks: Vec<_> = publishers
                        .into_iter()
                        .map(|p| tokio::task::spawn_local(closed_loop(p, seconds)))
                        .collect();
                    let mut total = 0;
                    let mut h = load::histogram();
                    for task in tasks {
                        let (count, latencies) = task.await??;
                        total += count;
                        h.add(&latencies)?;
                    }
                    Ok((total, h, started.elapsed().as_secs_f64()))
                })
                .await?;
                let mut row = Row::new(
                    "durable_writes",
                    format!("closed loop, {writers} writers, {subscribers} subscribers"),
                    kind,
                );
                row.set("acked_per_s", (total as f64 / elapsed).round())
                    .latency("ack", &h)
                    .set("subscribers_disconnected", seen.borrow().closed);
                emit(row, rows);
            }

            // Open loop: 1,000 commands/s offered by 4 writers.
            let server = Server::start(kind, &plan.programs, 1).await?;
            let seen: Shared = Rc::new(RefCell::new(Seen::new(1)));
            load::subscribe(&server, 0, subscribers, 0, &seen).await?;
            let open = open_loop(&server, 4, 1000.0, seconds).await?;
            let mut row = Row::new(
                "durable_writes",
                format!("open loop, 1000 cmd/s offered, {subscribers} subscribers"),
                kind,
            );
            open.report(&mut row);
            row.set("subscribers_disconnected", seen.borrow().closed);
            emit(row, rows);
            drop(server);

            // Throughput: 8 writers, the offered rate stepped up until the
            // acknowledgements fall behind it (the reduced run: 20,000/s only).
            let mut offered = if plan.quick { 20_000.0 } else { 5_000.0 };
            while offered <= 80_000.0 {
                let server = Server::start(kind, &plan.programs, 1).await?;
                let seen: Shared = Rc::new(RefCell::new(Seen::new(1)));
                load::subscribe(&server, 0, subscribers, 0, &seen).await?;
                let mut row = Row::new(
                    "durable_writes",
                    format!(
                        "open loop, 8 writers, {offered} cmd/s offered, {subscribers} subscribers"
                    ),
                    kind,
                );
                // A writer the broker closed (it fell too far behind reading
                // its answers) ends the steps.
                let open = match open_loop(&server, 8, offered, seconds).await {
                    Ok(open) => open,
                    Err(error) => {
                        row.set("error", error.to_string());
                        emit(row, rows);
                        break;
                    }
                };
                open.report(&mut row);
                row.set("subscribers_disconnected", seen.borrow().closed);
                emit(row, rows);
                if plan.quick || open.acked_per_s() < 0.95 * offered || open.refused > 0 {
                    break;
                }
                offered *= 2.0;
            }
        }
    }
    Ok(())
}

/// What an open-loop run of writers measured.
struct OpenLoop {
    sent: u64,
    ok: u64,
    refused: u64,
    /// From the first command sent to the last one answered.
    seconds: f64,
    latency: hdrhistogram::Histogram<u64>,
}

impl OpenLoop {
    fn acked_per_s(&self) -> f64 {
        self.ok as f64 / self.seconds
    }

    fn report(&self, row: &mut Row) {
        row.set("offered", self.sent)
            .set("acked", self.ok)
            .set("refused", self.refused)
            .set("acked_per_s", self.acked_per_s().round())
            .latency("ack", &self.latency);
    }
}

/// `writers` writer connections offering `rate` commands a second in all
/// for `seconds`, on a thread of their own; waits (at most 20 s) for every
/// answer.
async fn open_loop(
    server: &Server,
    writers: usize,
    rate: f64,
    seconds: f64,
) -> anyhow::Result<OpenLoop> {
    let endpoint = (**server).clone();
    load::on_own_thread(move || async move {
        let mut publishers = Vec::new();
        for w in 0..writers {
            publishers.push(Publisher::open(&endpoint, 0, w).await?);
        }
        let acks: Vec<_> = publishers.iter().map(Publisher::acks).collect();
        let started = Instant::now();
        let sent = load::publish_at(&mut publishers, rate / writers as f64, seconds).await?;
        let deadline = Instant::now() + Duration::from_secs(20);
        for a in &acks {
            let target = sent / writers as u64;
            tokio::select! {
                () = load::Acks::wait_answered(a, target) => {}
                () = tokio::time::sleep_until(deadline.into()) => break,
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let mut latency = load::histogram();
        let mut ok = 0;
        let mut refused = 0;
        for a in &acks {
            let a = a.borrow();
            latency.add(&a.latency_us)?;
            ok += a.ok;
            refused += a.refused;
        }
        Ok(OpenLoop {
            sent,
            ok,
            refused,
            seconds,
            latency,
        })
    })
    .await
}

/// One writer in closed loop: a command, its ack, the next.
async fn closed_loop(
    mut publisher: Publisher,
    seconds: f64,
) -> anyhow::Result<(u64, hdrhistogram::Histogram<u64>)> {
    let acks = publisher.acks();
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let mut done = 0;
    while Instant::now() < end {
        publisher.publish().await?;
        load::Acks::wait_answered(&acks, publisher.sent).await;
        done += 1;
    }
    let latencies = acks.borrow().latency_us.clone();
    Ok((done, latencies))
}

/// The raw fdatasync floor: 200-byte appends, each followed by fdatasync.
fn fdatasync_rate(
    dir: &std::path::Path,
    seconds: f64,
) -> anyhow::Result<(f64, hdrhistogram::Histogram<u64>)> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let path = dir.join("fdatasync-probe");
    let mut file = std::fs::File::create(&path)?;
    let mut h = load::histogram();
    let record = [b'x'; 200];
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        let t = Instant::now();
        file.write_all(&record)?;
        file.sync_data()?;
        let _ = h.record(
            u64::try_from(t.elapsed().as_micros())
                .unwrap_or(u64::MAX)
                .max(1),
        );
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    Ok((rate, h))
}

/// The recovery scenario's log: (rooms, events per room).
pub fn recovery_size(quick: bool) -> (usize, usize) {
    if quick { (10, 10_000) } else { (100, 10_000) }
}

/// Scenario 5 (floor only): recovery. A log of 1,000,000 events across
/// 100 rooms (100,000 across 10 when quick), generated through the core
/// as real sessions; then the time from process start to serving, with
/// the log in the page cache (warm) and evicted from it (cold).
pub async fn recovery(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    if plan.servers.contains(&Kind::FloorShared) {
        shared_first_load(plan, rows).await?;
    }
    if !plan.servers.contains(&Kind::Floor) {
        return Ok(());
    }
    let (rooms, per_room) = if plan.quick {
        (10, 10_000)
    } else {
        (100, 10_000)
    };
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
        let started = Instant::now();
        let floor = crate::server::start_floor_on(&data, &plan.programs, &[])?;
        let serving = started.elapsed();
        drop(floor);
        let mut row = Row::new(
            "recovery",
            format!(
                "{} events in {rooms} rooms, {cache} cache",
                rooms * per_room
            ),
            Kind::Floor,
        );
        row.set("start_to_serving_ms", round2(serving.as_secs_f64() * 1e3))
            .set("log_mb", round2(bytes as f64 / 1e6))
            .set("generated_in_s", round2(generated_s));
        if let Some(how) = evicted {
            row.set("evicted_by", how);
        }
        emit(row, rows);
    }
    Ok(())
}

/// The shared store keeps no checkpoints: a broker folds a room's whole
/// log from JetStream when it first serves it. Writes one room of 100,000
/// events (10,000 with `--quick`) as brokers write it, starts a broker on
/// the store, and times a display's `hello` to its `welcome`.
async fn shared_first_load(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    use floor_broker::shared::{Shared as Store, SharedConfig};
    let events = if plan.quick { 10_000 } else { 100_000 };
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
    let mut row = Row::new(
        "recovery",
        format!("first load of 1 room of {events} events from JetStream"),
        Kind::FloorShared,
    );
    row.set("hello_to_welcome_ms", round2(welcomed.as_secs_f64() * 1e3))
        .set("generated_in_s", round2(generated_s));
    emit(row, rows);
    Ok(())
}
