//! Scenario 4: durable writes, in closed and open loop.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::{Plan, emit};
use crate::load::{self, Publisher, Seen, Shared};
use crate::report::Row;
use crate::server::{Kind, Server};
use crate::stages::Stages;

/// The durable-writes scenario's name in its rows.
pub const DURABLE: &str = "durable_writes";

/// Writers in the open-loop throughput steps.
pub const OPEN_LOOP_WRITERS: usize = 8;

/// The open-loop throughput steps, commands/s offered: stepped up until
/// the acknowledgements fall behind.
pub const OPEN_LOOP_STEPS: [f64; 5] = [5_000.0, 10_000.0, 20_000.0, 40_000.0, 80_000.0];

/// The reduced run's one open-loop step.
pub const OPEN_LOOP_QUICK: f64 = 20_000.0;

/// The case of an open-loop throughput step.
pub fn open_loop_case(writers: usize, offered: f64, subscribers: usize) -> String {
    format!("open loop, {writers} writers, {offered} cmd/s offered, {subscribers} subscribers")
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
        let mut row = Row::new(DURABLE, "raw fdatasync, 200 B appends", Kind::Floor);
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
                    DURABLE,
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
                DURABLE,
                format!("open loop, 1000 cmd/s offered, {subscribers} subscribers"),
                kind,
            );
            open.report(&mut row);
            row.set("subscribers_disconnected", seen.borrow().closed);
            emit(row, rows);
            drop(server);

            // Throughput: 8 writers, the offered rate stepped up until the
            // acknowledgements fall behind it (the reduced run: 20,000/s only).
            let steps: &[f64] = if plan.quick {
                &[OPEN_LOOP_QUICK]
            } else {
                &OPEN_LOOP_STEPS
            };
            for &offered in steps {
                let server = Server::start(kind, &plan.programs, 1).await?;
                let seen: Shared = Rc::new(RefCell::new(Seen::new(1)));
                load::subscribe(&server, 0, subscribers, 0, &seen).await?;
                let mut row = Row::new(
                    DURABLE,
                    open_loop_case(OPEN_LOOP_WRITERS, offered, subscribers),
                    kind,
                );
                // A writer the broker closed (it fell too far behind reading
                // its answers) ends the steps.
                let stages_before = Stages::read(&server.addrs).await?;
                let open = match open_loop(&server, OPEN_LOOP_WRITERS, offered, seconds).await {
                    Ok(open) => open,
                    Err(error) => {
                        row.set("error", error.to_string());
                        emit(row, rows);
                        break;
                    }
                };
                open.report(&mut row);
                row.set("subscribers_disconnected", seen.borrow().closed);
                Stages::read(&server.addrs)
                    .await?
                    .since(&stages_before)
                    .report(&mut row);
                emit(row, rows);
                if open.acked_per_s() < 0.95 * offered || open.refused > 0 {
                    break;
                }
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

/// The raw fdatasync floor: 200-byte appends to a file in `dir`, each
/// followed by fdatasync, for `seconds`; the rate per second and the
/// latencies in µs.
pub fn fdatasync_rate(
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
