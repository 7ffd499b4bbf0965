//! The timings of the reference clients (the Rust client and the pages):
//! how soon a request refused for now is sent again, and how reconnection
//! backs off. One place, so that the two cannot drift apart.

/// How long a request answered with a code to retry
/// ([`crate::ErrorCode::retry_with_same_id`]) waits before it is sent
/// again, with the same request id.
pub const RETRY_AFTER_MS: u64 = 1_000;
/// The first reconnection delay's ceiling; each attempt doubles it, and a
/// delay is drawn between half the ceiling and the ceiling (jitter).
pub const RECONNECT_MIN_MS: u64 = 250;
/// The largest reconnection delay's ceiling.
pub const RECONNECT_MAX_MS: u64 = 10_000;
