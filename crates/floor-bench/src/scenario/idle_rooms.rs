//! Idle rooms: what a loaded room nobody uses costs the broker.

use futures_util::StreamExt;

use super::{Plan, emit, round2, settle};
use crate::load;
use crate::report::Row;
use crate::server::{Kind, Server};

/// The idle-rooms scenario's name in its rows.
pub const IDLE_ROOMS: &str = "idle_rooms";

/// The number of idle rooms measured.
pub const IDLE_ROOMS_COUNT: usize = 300;

/// The case of `n` loaded idle rooms.
pub fn idle_rooms_case(n: usize) -> String {
    format!("{n} loaded idle rooms")
}

/// Idle rooms: floor's RSS with one room (created and touched once),
/// then with [`IDLE_ROOMS_COUNT`] more, each created and touched once by a
/// display's `hello` (its connection closed at once), so each is loaded
/// and idle; the bytes each costs. floor only (the baselines have no
/// rooms), one broker (the shared store loads a room on first use as the
/// `hello` here does).
pub async fn idle_rooms(plan: &Plan, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    if !plan.servers.contains(&Kind::Floor) {
        return Ok(());
    }
    let n = IDLE_ROOMS_COUNT;
    let mut server = Server::floor(&plan.programs, 1, &[]).await?;
    // The first room and connection warm up what every room shares.
    touch(&server, 0..1).await?;
    settle(&server).await?;
    let before = server.rss_bytes()?;
    server.add_rooms(n).await?;
    touch(&server, 1..n + 1).await?;
    settle(&server).await?;
    let after = server.rss_bytes()?;
    let per = after.saturating_sub(before) as f64 / n as f64;
    let mut row = Row::new(IDLE_ROOMS, idle_rooms_case(n), Kind::Floor);
    row.set("rss_before_mb", round2(before as f64 / 1e6))
        .set("rss_after_mb", round2(after as f64 / 1e6))
        .set("bytes_per_room", per.round());
    emit(row, rows);
    Ok(())
}

/// Opens a display of each room of `rooms` (it takes its snapshot) and
/// closes it, one room at a time: what a connection holds while it lives
/// is freed before the next, and only what the room keeps is counted.
async fn touch(server: &Server, rooms: std::ops::Range<usize>) -> anyhow::Result<()> {
    for room in rooms {
        let mut ws = load::open(server, room, "display", room, None).await?;
        let _ = ws.close(None).await;
        // The broker has seen the close when the socket ends.
        let ended = async { while ws.next().await.is_some() {} };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), ended).await;
    }
    Ok(())
}
