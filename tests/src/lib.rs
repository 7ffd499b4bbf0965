//! The test harness: starts the real `floor` binary on an ephemeral port,
//! waits for its "listening on" line, and speaks to it with real WebSocket
//! and HTTP clients. Tests wait for the messages they expect; a deadline
//! only turns a hang into a failure.//!
//! # Layout
//! - `floor`: [`Floor`], the broker process, and [`floor_bin`].
//! - `tokens`: [`Tokens`], a room's role tokens, links and `hello`s.
//! - `client`: [`Client`], a raw WebSocket client of the protocol.
//! - `messages`: building and asserting protocol messages.
//! - `http`: HTTP agents and [`metric`].
//! - `long_run`: what the long runs' binaries share.
//! - `legacy`: logs as older brokers wrote them.
//! - [`chaos`], [`jepsen`], [`nats`]: the chaos harness, the partition
//!   runs, the NATS cluster; [`containers`]: the compose file under
//!   podman; [`synapse`]: a Matrix homeserver for the bridge's tests;
//!   `hold`, `proxy`, `role_cli`: smaller helpers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

pub use tokio_tungstenite::tungstenite;

mod caddy;
pub mod chaos;
mod client;
pub mod containers;
mod floor;
mod hold;
mod http;
pub mod jepsen;
mod legacy;
mod long_run;
mod messages;
pub mod nats;
mod proxy;
mod role_cli;
pub mod synapse;
mod tokens;

pub use caddy::{Caddy, caddy_bin};
pub use client::{Client, Received, Socket, never_reading, refused_for_now, welcomed};
pub use floor::{Floor, floor_bin, floor_json, serve_until_exit};
pub use hold::Hold;
pub use http::{http_agent, http_agent_seeing_redirects, metric, wait_for_loaded};
pub use legacy::legacy_log;
pub use long_run::{report_run, run_dir};
pub use messages::{acked, attendance_peak, refused, submit, wait_for_attendance_peak};
pub use proxy::Proxy;
pub use role_cli::floor_role;
pub use tokens::Tokens;

use std::time::Duration;

/// How long a test waits for a message it expects before failing.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The admin token every test broker runs with.
pub const ADMIN: &str = "test-admin-token";

/// The five roles, as the API names them.
pub const ROLES: [&str; 5] = ["chair", "moderator", "runner", "participant", "display"];
