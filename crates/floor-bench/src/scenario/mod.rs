//! The scenarios against servers but the hostile room (`hostile.rs`;
//! floor's core alone is `room_costs.rs`), one file each: fan-out and the
//! slow consumer (`fanout`), idle memory (`idle`), idle rooms
//! (`idle_rooms`), durable writes (`durable`) and recovery (`recovery`). Each starts its
//! own server(s), measures, prints each row as a JSON line as soon as it
//! has it, and returns the rows. This module holds what they share.

mod durable;
mod fanout;
mod idle;
mod idle_rooms;
mod recovery;

pub use durable::{
    DURABLE, OPEN_LOOP_QUICK, OPEN_LOOP_STEPS, OPEN_LOOP_WRITERS, durable_writes, fdatasync_rate,
    open_loop_case,
};
pub use fanout::{FANOUT, FANOUT_SIZES, fanout, fanout_case, slow_consumer};
pub(crate) use idle::settle;
pub use idle::{IDLE, IDLE_SIZES, idle, idle_case};
pub use idle_rooms::{IDLE_ROOMS, IDLE_ROOMS_COUNT, idle_rooms, idle_rooms_case};
pub use recovery::{
    RECOVERY, first_load_case, first_load_events, recovery, recovery_case, recovery_size,
};

use crate::report::Row;
use crate::server::{Kind, Programs};

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
    pub(crate) fn secs(&self, full: f64, quick: f64) -> f64 {
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
