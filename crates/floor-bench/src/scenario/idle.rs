//! Scenario 3: idle connections, and waiting for a server's memory to
//! settle.

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::{Plan, emit, round2};
use crate::load;
use crate::report::Row;
use crate::server::{Kind, Server};

/// The idle scenario's name in its rows.
pub const IDLE: &str = "idle_memory";

/// The numbers of idle connections measured; the reduced run measures
/// the first only.
pub const IDLE_SIZES: [usize; 2] = [1000, 10_000];

/// The case of `n` idle connections.
pub fn idle_case(n: usize) -> String {
    format!("{n} idle connections")
}

/// Scenario 3: idle connections. Server RSS before, with N idle
/// subscribers, and after they left; user-space bytes per connection.
pub async fn idle(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let sizes: &[usize] = if plan.quick {
        &IDLE_SIZES[..1]
    } else {
        &IDLE_SIZES
    };
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
            let mut row = Row::new(IDLE, idle_case(n), kind);
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
