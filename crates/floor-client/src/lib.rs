//! Clients of a floor room, in Rust.
//!
//! A [`Client`] is a cheap handle to one connection: a background task owns
//! the WebSocket, says `hello`, keeps a [`RoomState`] current (the broker's
//! snapshot with every event folded in by [`floor_core::LiveView`], and the
//! broker's projected order), and reconnects on its own with capped
//! exponential backoff and jitter, resuming from the last event it holds.
//! Requests resolve on their `ack` or typed error; a request issued while
//! disconnected is kept and sent on reconnection with its original request
//! id, so it takes effect exactly once. A gap, a repeated event or an order
//! that does not fit the state is reported ([`ConnectionEvent::Resyncing`])
//! and repaired with a fresh snapshot.
//!
//! On top of it, one type per role:
//! - [`RoomChannel`], the onsite mic runner: raised hands, where to walk
//!   next, "mic in hand";
//! - [`RemoteChannel`], the online moderator: remote questions, chat
//!   transcript import, approve, reject, merge, edit;
//! - [`DisplayView`], the projector or a backstage screen: a render-ready
//!   view, and [`render_text`] for a terminal.
//!
//! # Connect, submit, subscribe
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use floor_client::{Client, ConnectOptions, Hand, RoomChannel, Update};
//!
//! // The link the broker printed for the mic runner.
//! let client = Client::connect(ConnectOptions::from_link(
//!     "http://127.0.0.1:8080/r/ws235/runner#token=3f9c...",
//! )?)
//! .await?;
//!
//! let mut updates = client.subscribe();
//! let runner = RoomChannel::new(client.clone());
//! let entry = runner.raise_hand(Hand::new("Amina Diallo").seat("Row 4")).await?;
//! println!("entry {entry} is number {:?} in line", client.state().place(entry));
//!
//! while let Some(update) = updates.next().await {
//!     if let Update::Event(event) = update {
//!         println!("{}: {}", event.seq, event.event.name());
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - [`address`]: reading a room link into an endpoint, room and token.
//! - [`options`]: how to connect, [`ConnectOptions`].
//! - [`client`]: the handle [`Client`], with [`Ack`], [`Subscriber`],
//!   [`Update`] and [`ConnectionEvent`].
//! - `connection` (private): the task that owns the socket.
//! - [`state`]: the room as held, [`RoomState`], and the [`Anomaly`] checks.
//! - [`tls`]: the certificate authorities a `wss://` connection trusts.
//! - [`backoff`]: reconnection delays.
//! - [`runner`], [`moderator`], [`display`]: the role clients.
//! - [`chat`]: reading chat transcripts (from `floor-files`).
//! - [`error`]: the error types.

pub mod address;
pub use floor_files::chat;
pub mod backoff;
pub mod client;
mod connection;
pub mod display;
pub mod error;
pub mod moderator;
pub mod options;
pub mod runner;
pub mod state;
pub mod tls;

pub use address::RoomAddress;
pub use client::{Ack, Client, ConnectionEvent, ConnectionStatus, Subscriber, Update};
pub use display::{DisplayView, NextCard, SpeakerCard, StageCard, render_text};
pub use error::{AddressError, ConnectError, Refusal, RequestError, TlsError};
pub use moderator::{ImportOptions, ImportReport, OnlineEntry, RemoteChannel};
pub use options::ConnectOptions;
pub use runner::{Hand, OnDeck, RoomChannel};
pub use state::{Anomaly, RoomState};
