//! Scenarios 1 and 2: fan-out to many subscribers, then the same with a
//! subscriber that stops reading.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use super::{CAPACITY_P99_US, Plan, cpu_per, emit, round2};
use crate::load::{self, Publisher, Seen, Shared};
use crate::report::Row;
use crate::server::{Kind, Server};

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

/// `FLOOR_BENCH_STEADY_SECS`: for profiling a session's pace
/// (`scripts/profile`), each fan-out case runs its 2 msg/s step for this
/// many seconds and skips the capacity steps.
fn steady_secs() -> Option<f64> {
    std::env::var("FLOOR_BENCH_STEADY_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
}

/// The fan-out scenario's name in its rows.
pub const FANOUT: &str = "fanout";

/// The fan-out's sizes, (rooms, subscribers per room); the reduced run
/// measures the first only.
pub const FANOUT_SIZES: [(usize, usize); 3] = [(1, 1000), (1, 10_000), (10, 1000)];

/// A fan-out size as its cases name it (`1 room x 1000 subscribers`).
fn fanout_size(rooms: usize, per_room: usize) -> String {
    if rooms == 1 {
        format!("1 room x {per_room} subscribers")
    } else {
        format!("{rooms} rooms x {per_room} subscribers")
    }
}

/// The case of a fan-out at a session's pace, 2 messages/s
/// (`1 room x 1000 subscribers, 2 msg/s`).
pub fn fanout_case(rooms: usize, per_room: usize) -> String {
    format!("{}, 2 msg/s", fanout_size(rooms, per_room))
}

/// Scenario 1: fan-out to 1,000 and 10,000 subscribers of one room and to
/// 10 rooms × 1,000: first at 2 messages/s, then stepped up until p99
/// passes 250 ms (the capacity: deliveries/s of the last step within it).
pub async fn fanout(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let cases: &[(usize, usize)] = if plan.quick {
        &FANOUT_SIZES[..1]
    } else {
        &FANOUT_SIZES
    };
    for &(rooms, per_room) in cases {
        for &kind in &plan.servers {
            let case = fanout_size(rooms, per_room);
            let mut run = Fanout::start(kind, plan, rooms, per_room).await?;
            let mut row = Row::new(FANOUT, fanout_case(rooms, per_room), kind);
            let steady = steady_secs();
            // At a session's pace a step is a few dozen commits, and its
            // p99 is the slowest pass or two over the subscribers: a full
            // run gives it 40 (20 s), so that one late pass does not decide.
            run.measure(2.0, steady.unwrap_or(plan.secs(20.0, 3.0)), &mut row)
                .await?;
            emit(row, rows);
            if steady.is_some() {
                continue;
            }

            // Capacity: step the rate up by half each time.
            let mut rate = 2.0_f64.max(20_000.0 / (rooms * per_room) as f64);
            // Each step is printed as a JSON line; the table keeps the
            // last step within 250 ms and the first one past it.
            let mut best: Option<Row> = None;
            let mut past: Option<Row> = None;
            for _ in 0..14 {
                let mut row = Row::new(FANOUT, format!("{case}, capacity"), kind);
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
                let mut row = Row::new(FANOUT, format!("{case}, capacity"), kind);
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
