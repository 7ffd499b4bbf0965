//! One task per WebSocket connection: the handshake, then a loop that
//! forwards the room's frames and the connection's replies to the socket
//! and the client's commands to the room.
//!
//! A room answers a batch's commands before it broadcasts their events
//! (so the issuer's task is woken before every screen's, and its `ack`
//! does not wait behind a thousand writes), and each answer carries the
//! seq its connection must have sent first: the connection holds an `ack`
//! until it has sent the frames up to its `last_seq`, so a client always
//! sees the events of its command, and their `order`, before the `ack`.
//!
//! Writing to the socket (coalesced broadcast frames, replies, the limits
//! on a slow reader) is in `write.rs`; the client's messages are taken in
//! `receive.rs`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use floor_core::Actor;
use floor_core::audience::Audience;
use floor_protocol::message::{Resume, ServerMessage};
use floor_protocol::{ErrorCode, PROTOCOL_VERSION, Role};
use futures_util::{SinkExt, StreamExt};
use governor::{Quota, RateLimiter};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::addresses::AddressGuard;
use crate::auth::{self, TokenHash};
use crate::broker::Broker;
use crate::handshake::{Accepted, handshake};
use crate::limits::{
    COMMAND_BURST, COMMANDS_PER_SECOND, FIRST_FRAMES_DEADLINE, HELLO_WAIT, MAX_QUEUED_BYTES,
    PING_INTERVAL, PONG_TIMEOUT,
};
use crate::metrics::{ReasonLabel, RoleLabel};
use crate::room::{Reply, RoomHandle, RoomMsg, Subscription, Unconfirmed, error_text, now_ms};
use crate::upgrade::Socket;

mod receive;
mod write;

/// The close codes the broker uses (see the protocol's README).
pub use floor_protocol::close as close_code;

/// Longest a single write to the socket may take before the connection is
/// judged too slow.
pub(crate) const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// How a connection ended, when the broker ended it.
#[derive(Debug)]
pub(crate) struct Close {
    code: u16,
    reason: &'static str,
}

impl Close {
    /// "Too slow, resume" (4000): the connection fell behind its room.
    fn too_slow() -> Self {
        Close::new(close_code::TOO_SLOW, "too slow, resume")
    }

    pub(crate) fn new(code: u16, reason: &'static str) -> Self {
        Close { code, reason }
    }
}

/// Whether `token_hash` still grants `role` in `room` (tokens rotate).
fn token_grants(room: &RoomHandle, token_hash: &TokenHash, role: Role) -> bool {
    let current = room
        .tokens
        .read()
        .ok()
        .and_then(|t| t.role_of_hash(token_hash));
    current == Some(role)
}

/// Serves one WebSocket connection until it closes; `address` counts it
/// against its client address, and a failed handshake is held against
/// that address.
pub async fn serve(socket: Socket, broker: Arc<Broker>, address: AddressGuard) {
    let mut socket = socket;
    // Boxed: the handshake's state is the largest a connection has, and
    // held inline it would size every connection's task for its whole
    // life (an idle display's most of all).
    let outcome = Box::pin(handshake(&mut socket, &broker, &address)).await;
    let (hello, room, role, token_hash) = match outcome {
        Ok(accepted) => accepted,
        Err(Some(close)) => {
            close_socket(&mut socket, close).await;
            return;
        }
        Err(None) => return,
    };
    let accepted = (hello, room, role, token_hash);
    let connection = Connection::new(socket, broker.clone(), accepted, address.ip());
    let served = serve_accepted(connection);
    if crate::lane::CommandLane::serves(role) {
        // A task of the lane that is dropped (the broker stopping) has
        // closed nothing more than its socket.
        let _ = broker.lane.spawn(served).await;
    } else {
        served.await;
    }
    drop(address);
}

/// Serves a connection whose `hello` was accepted, until it closes.
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn would store its argument twice in every connection's future"
)]
fn serve_accepted(
    mut connection: Connection,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    // An async block, not an async fn: it uses the connection it captures
    // in place, where an async fn would keep a second copy of it in every
    // connection's future.
    async move {
        let broker = connection.broker.clone();
        let role = connection.actor.role;
        let label = RoleLabel {
            role: role.as_str(),
        };
        broker.metrics.connections.get_or_create(&label).inc();
        let presence = connection.room.clone();
        let _counted = match (role, connection.actor.channel) {
            (Role::Participant, Some(channel)) => Some(presence.presence.join(channel)),
            _ => None,
        };
        let close = connection.run().await;
        broker.metrics.connections.get_or_create(&label).dec();
        if let Some(close) = close {
            if close.code == close_code::TOO_BIG {
                let text = error_text(
                    None,
                    ErrorCode::MessageTooLarge,
                    "frames and messages are limited to 64 KiB",
                );
                let _ = timeout(
                    Duration::from_secs(1),
                    connection.socket.send(Message::Text(text)),
                )
                .await;
            }
            if close.code == close_code::TOO_SLOW {
                broker
                    .metrics
                    .dropped
                    .get_or_create(&ReasonLabel { reason: "lag" })
                    .inc();
            } else if close.code == close_code::PING_TIMEOUT {
                broker
                    .metrics
                    .dropped
                    .get_or_create(&ReasonLabel {
                        reason: "ping_timeout",
                    })
                    .inc();
            } else if close.code == close_code::ABUSE {
                broker
                    .metrics
                    .dropped
                    .get_or_create(&ReasonLabel { reason: "abuse" })
                    .inc();
            }
            close_socket(&mut connection.socket, close).await;
        }
    }
}

/// The close for a socket's read error: 1009 for a frame or message over
/// the limit (`max_frame_size` / `max_message_size`), 1007 for a text
/// message that is not valid UTF-8 (RFC 6455, sections 5.6 and 8.1), none
/// for anything else (the connection is dropped: the peer went away or
/// broke the framing itself).
pub(crate) fn read_error_close(error: &tokio_tungstenite::tungstenite::Error) -> Option<Close> {
    use tokio_tungstenite::tungstenite::Error;
    match error {
        Error::Capacity(_) => Some(Close::new(close_code::TOO_BIG, "message too large")),
        Error::Utf8(_) => Some(Close::new(
            close_code::INVALID_TEXT,
            "text is not valid UTF-8",
        )),
        _ => None,
    }
}

/// Sends `close` as the socket's close frame (giving up after a second).
pub(crate) async fn close_socket(socket: &mut Socket, close: Close) {
    let frame = CloseFrame {
        code: close.code.into(),
        reason: Utf8Bytes::from_static(close.reason),
    };
    let _ = timeout(
        Duration::from_secs(1),
        socket.send(Message::Close(Some(frame))),
    )
    .await;
}

struct Connection {
    socket: Socket,
    broker: Arc<Broker>,
    room: Arc<RoomHandle>,
    /// Where the client left off, from its `hello` (the rest of the
    /// `hello` is not kept: it would cost every connection its strings).
    resume: Option<Resume>,
    actor: Actor,
    /// The client's address, for the participants' submission budget.
    ip: IpAddr,
    token_hash: TokenHash,
    /// The reply queue, made with the connection's first command: a
    /// screen never sends one, and the queue's first block would cost each
    /// of them a few kilobytes.
    replies: Option<(mpsc::Sender<Reply>, mpsc::Receiver<Reply>)>,
    invalid: u32,
    /// Cancelled by the room when this connection's reply queue overflowed.
    overflow: tokio_util::sync::CancellationToken,
    /// Whether it has handed the room a command: until then nothing can
    /// reach its reply queue or cancel `overflow` (only a command carries
    /// them), so its loop does not wait on them. A display never does, and
    /// its turn per broadcast is the broker's most frequent.
    commanded: bool,
    /// Frames up to this seq are already covered by a snapshot sent on
    /// this connection (after `sync`), so they are skipped.
    covered_seq: u64,
    /// Whether the hello asked for `order` messages in the compact form.
    compact_order: bool,
    /// The seq up to which the room's frames have been sent (or covered
    /// by what was sent): a reply waits for its `after_seq`.
    sent_seq: u64,
    /// A reply taken from the queue before the frames it must follow;
    /// sent, with those behind it, once they are.
    held: Option<Reply>,
}

impl Connection {
    fn new(socket: Socket, broker: Arc<Broker>, accepted: Accepted, ip: IpAddr) -> Connection {
        let (hello, room, role, token_hash) = accepted;
        let actor = Actor {
            role,
            client: auth::client_key(&hello.client_id),
            channel: hello.channel,
        };
        Connection {
            socket,
            broker,
            room,
            resume: hello.resume,
            actor,
            ip,
            token_hash,
            replies: None,
            invalid: 0,
            overflow: tokio_util::sync::CancellationToken::new(),
            commanded: false,
            covered_seq: 0,
            compact_order: hello.compact_order,
            sent_seq: 0,
            held: None,
        }
    }

    /// Whom this connection is served as: a participant's or a display's
    /// gets no `person_id`.
    fn audience(&self) -> Audience {
        Audience::of(self.actor.role)
    }

    /// Whether this connection's token still grants its role.
    fn token_valid(&self) -> bool {
        token_grants(&self.room, &self.token_hash, self.actor.role)
    }

    /// The room's answer to the subscription: a room of the shared store
    /// that cannot serve from a state it knows is the store's last, or does
    /// not answer within [`HELLO_WAIT`] (busy learning a commit's outcome
    /// while NATS elects a leader, say), has the hello refused with
    /// `storage_unavailable` (close 1013): the client tries another broker.
    async fn subscription(
        &mut self,
        answer: oneshot::Receiver<Result<Subscription, Unconfirmed>>,
    ) -> Result<Subscription, Option<Close>> {
        let shared = self.broker.log.shared().is_some();
        let answer = if shared {
            timeout(HELLO_WAIT, answer).await
        } else {
            Ok(answer.await)
        };
        let reason = match answer {
            Ok(Ok(Ok(subscription))) => return Ok(subscription),
            Ok(Err(_)) => return Err(Some(Close::new(close_code::GOING_AWAY, "room closed"))),
            Ok(Ok(Err(unconfirmed))) => unconfirmed.to_string(),
            Err(_) => "the room did not answer in time".to_owned(),
        };
        tracing::info!(room = %self.room.id, %reason, "a hello is refused: the room cannot confirm it holds the shared store's last commit");
        let text = error_text(
            None,
            ErrorCode::StorageUnavailable,
            "the broker cannot read the room's shared store right now; try again (another broker may serve it)",
        );
        let _ = self.send(text).await;
        Err(Some(Close::new(
            close_code::TRY_AGAIN_LATER,
            "try again later",
        )))
    }

    /// The `welcome` text (made outside `run`, so that its message does
    /// not take room in every connection's future).
    fn welcome(&self, epoch: uuid::Uuid, head: u64) -> Option<Utf8Bytes> {
        let welcome = ServerMessage::Welcome {
            protocol: PROTOCOL_VERSION,
            room: self.room.info(),
            role: self.actor.role,
            client: self.actor.client.clone(),
            epoch,
            head,
            server_time_ms: now_ms(),
            compact_order: self.compact_order,
        };
        serde_json::to_string(&welcome).ok().map(Utf8Bytes::from)
    }

    /// Runs the connection; returns how the broker wants it closed, if it
    /// was the broker that ended it.
    async fn run(&mut self) -> Option<Close> {
        // Watch rotations from here on, then check the token once more: a
        // rotation between the handshake and now is not missed.
        let mut rotations = self.room.rotations.subscribe();
        if !self.token_valid() {
            let text = error_text(None, ErrorCode::Unauthorized, "this token was revoked");
            let _ = self.send(text).await;
            return Some(Close::new(close_code::HELLO_REFUSED, "token revoked"));
        }
        let (reply, answer) = oneshot::channel();
        let resume = self.resume.clone();
        let audience = self.audience();
        let subscribe = RoomMsg::Subscribe {
            resume,
            audience,
            reply,
        };
        if !self.room.send(subscribe).await {
            return Some(Close::new(close_code::GOING_AWAY, "room closed"));
        }
        let subscription = match self.subscription(answer).await {
            Ok(subscription) => subscription,
            Err(close) => return close,
        };
        let Subscription {
            epoch,
            head,
            initial,
            mut frames,
            mut broadcast_bytes,
        } = subscription;
        self.sent_seq = head;
        let Some(welcome) = self.welcome(epoch, head) else {
            return Some(Close::new(close_code::GOING_AWAY, "internal error"));
        };
        tracing::debug!(room = %self.room.id, role = self.actor.role.as_str(), "connection welcomed");
        // Counted as a screen of its role on the venue dashboard while it
        // is connected.
        let _screen = self.room.live.screen(self.actor.role);
        // The welcome and the first frames (a snapshot, or the missed
        // events and the order) must be taken within FIRST_FRAMES_DEADLINE,
        // and before the room has broadcast MAX_QUEUED_BYTES past them: a
        // client that does not read is closed as too slow, holding at most
        // one fragment of the snapshot meanwhile (see `outbound`).
        let limit = broadcast_bytes.borrow().saturating_add(MAX_QUEUED_BYTES);
        let first = async {
            for text in std::iter::once(welcome).chain(initial) {
                self.write_within(Some(Message::Text(text)), limit, &mut broadcast_bytes)
                    .await?;
            }
            self.write_within(None, limit, &mut broadcast_bytes).await
        };
        match timeout(FIRST_FRAMES_DEADLINE, first).await {
            Ok(Ok(())) => {}
            Ok(Err(close)) => return close,
            Err(_) => return Some(Close::too_slow()),
        }

        let per_second = self.broker.config.commands_per_second;
        let limiter = NonZeroU32::new(per_second).map(|rate| {
            let burst = per_second.saturating_mul(COMMAND_BURST / COMMANDS_PER_SECOND);
            RateLimiter::direct(
                Quota::per_second(rate).allow_burst(NonZeroU32::new(burst).unwrap_or(rate)),
            )
        });
        let shutdown = self.broker.shutdown.clone();
        let overflow = self.overflow.clone();
        // The waits that outlive one turn of the loop are made once: a
        // subscriber's loop turns once per broadcast, and registering
        // timers and waiters anew on every turn cost a good part of a
        // delivery.
        let shut_down = shutdown.cancelled();
        let overflowed = overflow.cancelled();
        let room = self.room.clone();
        let (token_hash, role) = (self.token_hash, self.actor.role);
        let revoked = async move {
            while rotations.changed().await.is_ok() {
                if !token_grants(&room, &token_hash, role) {
                    return;
                }
            }
        };
        let ping = sleep_until(Instant::now() + PING_INTERVAL);
        let pong = sleep_until(Instant::now() + PONG_TIMEOUT);
        tokio::pin!(shut_down, overflowed, revoked, ping, pong);
        let mut pong_awaited = false;

        loop {
            let result = tokio::select! {
                biased;
                () = &mut shut_down => return Some(Close::new(close_code::GOING_AWAY, "broker shutting down")),
                () = &mut overflowed, if self.commanded => return Some(Close::too_slow()),
                frame = frames.recv() => self.forward(frame, &mut frames, &mut broadcast_bytes).await,
                Some(reply) = next_reply(&mut self.replies), if self.commanded && self.held.is_none() => self.send_replies(reply).await,
                () = &mut revoked => {
                    let text = error_text(None, ErrorCode::Unauthorized, "this token was revoked");
                    let _ = self.send(text).await;
                    return Some(Close::new(close_code::HELLO_REFUSED, "token revoked"));
                }
                incoming = self.socket.next() => match incoming {
                    None => Err(None),
                    Some(Err(error)) => Err(read_error_close(&error)),
                    Some(Ok(Message::Pong(_))) => {
                        pong_awaited = false;
                        Ok(())
                    }
                    // Boxed: the command path is large and rare, and an idle
                    // connection should not carry its state.
                    Some(Ok(message)) => Box::pin(self.receive(message, limiter.as_ref())).await,
                },
                () = &mut ping => {
                    ping.as_mut().reset(Instant::now() + PING_INTERVAL);
                    if !pong_awaited {
                        pong_awaited = true;
                        pong.as_mut().reset(Instant::now() + PONG_TIMEOUT);
                    }
                    self.send_message(Message::Ping(Default::default())).await
                }
                () = &mut pong, if pong_awaited => {
                    Err(Some(Close::new(close_code::PING_TIMEOUT, "no pong")))
                }
            };
            if let Err(close) = result {
                return close;
            }
        }
    }
}

/// The next reply of a connection's queue; pending while it has none.
async fn next_reply(
    replies: &mut Option<(mpsc::Sender<Reply>, mpsc::Receiver<Reply>)>,
) -> Option<Reply> {
    match replies {
        Some((_, replies)) => replies.recv().await,
        None => std::future::pending().await,
    }
}
