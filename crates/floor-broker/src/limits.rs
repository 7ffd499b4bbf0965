//! The broker's limits on what a connection may send and hold.

use std::time::Duration;

// A frame's limits are the protocol's.
pub use floor_protocol::limits::{MAX_JSON_DEPTH, MAX_MESSAGE, json_too_deep};

/// Most bytes a connection may have waiting to be sent before it is closed
/// as too slow.
pub const MAX_QUEUED_BYTES: u64 = 1024 * 1024;
/// Kernel send buffer per connection (set on the listener, inherited by
/// accepted sockets).
pub const SOCKET_SEND_BUFFER: u32 = 64 * 1024;
/// Socket read buffer per connection; small, since most connections idle.
pub const READ_BUFFER: usize = 4 * 1024;
/// Socket write buffer target per connection.
pub const WRITE_BUFFER: usize = 8 * 1024;
/// Socket write buffer cap per connection: what it may have formatted and
/// not yet handed to the kernel. Long messages go out in fragments of
/// [`crate::outbound::FRAGMENT`] bytes, each written out before the next
/// is formatted, so the buffer holds at most [`WRITE_BUFFER`] of queued
/// small messages plus one fragment or message of up to that size.
pub const MAX_WRITE_BUFFER: usize = 64 * 1024;
/// Time a new subscriber has to take its `welcome` and first frames (a
/// snapshot, or the events it missed): past it, or once the room has
/// broadcast [`MAX_QUEUED_BYTES`] beyond them, it is closed as too slow
/// (4000) and resumes.
pub const FIRST_FRAMES_DEADLINE: Duration = Duration::from_secs(20);
/// Time allowed for a connection's HTTP request head (before any
/// WebSocket upgrade).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed between the upgrade and a valid `hello`.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a `hello` to a room of the shared store waits for the room to
/// be read from the store (when this broker does not serve it yet), and
/// then for the room to answer, before it is refused with
/// `storage_unavailable` (close 1013).
pub const HELLO_WAIT: Duration = Duration::from_secs(1);
/// Interval between pings.
pub const PING_INTERVAL: Duration = Duration::from_secs(25);
/// Time allowed for the pong.
pub const PONG_TIMEOUT: Duration = Duration::from_secs(10);
/// Commands per second a connection may sustain.
pub const COMMANDS_PER_SECOND: u32 = 20;
/// Commands a connection may send in a burst.
pub const COMMAND_BURST: u32 = 40;
/// Invalid messages a connection may send before it is closed.
pub const MAX_INVALID_MESSAGES: u32 = 20;
/// Frames a room keeps in its broadcast ring for subscribers.
pub const BROADCAST_CAPACITY: usize = 4096;
/// How long a room with no connection and no message stays loaded, by
/// default (`--unload-idle-after`).
pub const UNLOAD_IDLE_AFTER: Duration = Duration::from_secs(600);
/// Events a room keeps in memory for resuming subscribers: about what
/// fits in [`MAX_QUEUED_BYTES`] at 256 bytes an event. A client further
/// behind gets a snapshot, as it does when more than [`MAX_QUEUED_BYTES`]
/// of events were missed.
pub const RESUME_WINDOW: usize = 4_096;
/// Queued commands per room.
pub const ROOM_QUEUE: usize = 1024;
/// Queued replies per connection.
pub const REPLY_QUEUE: usize = 256;
/// Failed guesses (a wrong token, an unknown room, a missing or bad
/// `hello`) an address has answered at once per minute, after its burst.
pub const FAILURES_PER_MINUTE: u32 = 30;
/// Failed guesses an address has answered at once in a burst.
pub const FAILURE_BURST: u32 = 20;
/// How late a failed guess past the address's allowance is answered.
pub const FAILURE_DELAY: Duration = Duration::from_secs(5);
/// Late answers pending per address; a failure beyond them is answered
/// at once, so a guesser pins at most this many sockets or tasks.
pub const DELAYED_PER_ADDRESS: u32 = 16;
/// Open WebSockets per client address, by default (`0`: no cap).
pub const MAX_CONNECTIONS_PER_ADDRESS: u32 = 4096;
/// `submit`s the participants behind one client address may send a
/// minute, all of which may come at once, by default (`0`: no budget; see
/// `budget.rs` for why this much).
pub const PARTICIPANT_SUBMITS_PER_MINUTE: u32 = 30;
/// Plain HTTP connections (not yet WebSockets) per TCP peer address, by
/// default (`0`: no cap). Trusted proxies are not counted.
pub const MAX_HTTP_CONNECTIONS_PER_ADDRESS: u32 = 256;
/// Longest wait for the next piece of a request body.
pub const REQUEST_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest time a plain HTTP request may take, its body included, before
/// it is answered 408 and its connection closed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Shortest time between two checkpoints of a room (besides
/// `floor_core::checkpoint::INTERVAL` events between them).
pub const CHECKPOINT_GAP: Duration = Duration::from_secs(1);
/// Shortest time between two attendance records of a room.
pub const ATTENDANCE_INTERVAL: Duration = Duration::from_secs(2);
