//! floor's benchmark: floor measured beside B0, a minimal tokio-tungstenite
//! broadcast server (the limit of the stack), and B1, Node.js with `ws`
//! (the common peer), in six scenarios: fan-out, a slow consumer, idle
//! memory, durable writes, recovery, a hostile room, and a full room
//! read by 1,000 screens; and a seventh,
//! floor's core alone: what a committed batch costs the room's task. The server runs
//! pinned to one CPU and this generator, on one thread, pinned to the
//! other (`scripts/bench`).

// A benchmark reports on standard output: that is its job.
#![allow(clippy::print_stdout)]

pub mod full_room;
pub mod generate;
pub mod hostile;
pub mod load;
pub mod machine;
pub mod report;
pub mod room_costs;
pub mod scenario;
pub mod server;
pub mod stages;
pub mod stamp;
pub mod targets;
