//! The one task that owns the socket: it speaks the protocol, keeps the
//! room state current, resolves requests, and reconnects.
//!
//! Every request goes into `outstanding` with its request id and its frame
//! serialized once. It stays there until its `ack` or `error` arrives (or
//! its deadline passes); after a reconnection every outstanding request is
//! sent again with the same id, so the broker applies it at most once and
//! answers a repeat with the original result.
//!
//! Events are folded into a working copy of the state; the copy is
//! published (to [`crate::Client::state`] and every watcher) when the
//! broker's order for those events arrives, so a published state's view
//! and order always belong to the same sequence number. An
//! acknowledgement resolves its request only once the published state
//! holds the events it names, so a caller that awaits a request and then
//! reads the state sees its effect.
//!
//! Opening a connection (`hello`, `welcome`, the first snapshot) is in
//! `handshake`; what the task does with each message from the broker is in
//! `receive`.

mod handshake;
mod receive;

pub(crate) use handshake::{clock_offset, first_snapshot, handshake, now_ms};

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use floor_protocol::{ClientMessage, Resume};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::backoff::Backoff;
use crate::client::{Ack, ConnectionEvent, ConnectionStatus, Update};
use crate::error::RequestError;
use crate::options::ConnectOptions;
use crate::state::RoomState;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a request refused with a code to retry waits before it is
/// sent again.
const RETRY_AFTER: Duration = Duration::from_millis(floor_protocol::timing::RETRY_AFTER_MS);
/// How long the snapshot may take after a `sync` before the client
/// reconnects without `resume` to get one.
const RESYNC_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a single write to the socket may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What the session does after a message.
enum Next {
    /// Carry on.
    Go,
    /// Ask for a snapshot.
    Sync,
    /// Drop this connection and reconnect without `resume`.
    Reconnect(String),
}

/// What the handle asks of the task.
#[derive(Debug)]
pub(crate) enum Op {
    /// Send a command and answer on `reply`.
    Command {
        request_id: String,
        frame: String,
        reply: oneshot::Sender<Result<Ack, RequestError>>,
        deadline: Instant,
    },
    /// Ask the broker for a fresh snapshot.
    Sync,
    /// Close the connection and stop.
    Close(oneshot::Sender<()>),
}

/// What the task shares with every handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) state: watch::Sender<RoomState>,
    pub(crate) updates: broadcast::Sender<Update>,
    pub(crate) status: watch::Sender<ConnectionStatus>,
    /// Broker clock minus local clock, in milliseconds.
    pub(crate) clock_offset_ms: AtomicI64,
}

impl Shared {
    fn emit(&self, update: Update) {
        // No subscriber is fine.
        let _ = self.updates.send(update);
    }

    fn connection(&self, event: ConnectionEvent) {
        tracing::debug!(?event, "connection");
        self.emit(Update::Connection(event));
    }
}

/// A request awaiting its answer.
#[derive(Debug)]
struct Outstanding {
    request_id: String,
    frame: String,
    reply: oneshot::Sender<Result<Ack, RequestError>>,
    deadline: Instant,
    /// Sent on the current connection.
    sent: bool,
}

/// An acknowledged request waiting for the state to reach its events.
#[derive(Debug)]
struct Parked {
    ack: Ack,
    reply: oneshot::Sender<Result<Ack, RequestError>>,
    /// The request's deadline: past it, the ack is delivered even if the
    /// state has not caught up (the command did take effect).
    deadline: Instant,
}

/// How a connection ended.
enum End {
    /// The client was closed by its owner.
    Closed,
    /// The broker refused this client for good.
    Fatal(String),
    /// The connection was lost; reconnect.
    Lost(String),
}

/// The task.
pub(crate) struct Connection {
    options: ConnectOptions,
    token: String,
    shared: Arc<Shared>,
    ops: mpsc::UnboundedReceiver<Op>,
    /// The state with every event received folded in; published when the
    /// order for its sequence number arrives.
    working: RoomState,
    outstanding: VecDeque<Outstanding>,
    parked: Vec<Parked>,
    /// A `sync` was sent because of an anomaly; events are ignored until
    /// the snapshot arrives.
    resyncing: bool,
    /// When refused-for-now requests are sent again.
    retry_at: Option<Instant>,
    backoff: Backoff,
    /// The last error the broker sent without a request id.
    last_error: Option<String>,
}

impl Connection {
    pub(crate) fn new(
        options: ConnectOptions,
        token: String,
        shared: Arc<Shared>,
        ops: mpsc::UnboundedReceiver<Op>,
    ) -> Connection {
        let backoff = Backoff::new(options.reconnect_min, options.reconnect_max);
        let working = shared.state.borrow().clone();
        Connection {
            options,
            token,
            shared,
            ops,
            working,
            outstanding: VecDeque::new(),
            parked: Vec::new(),
            resyncing: false,
            retry_at: None,
            backoff,
            last_error: None,
        }
    }

    /// Runs until the client is closed or refused for good.
    pub(crate) async fn run(mut self, first: Socket) {
        let mut socket = Some(first);
        loop {
            if let Some(connected) = socket.take() {
                self.shared.status.send_replace(ConnectionStatus::Connected);
                match self.session(connected).await {
                    End::Closed => return self.finish("closed by the client".into()),
                    End::Fatal(reason) => return self.finish(reason),
                    End::Lost(reason) => {
                        tracing::info!(%reason, "connection lost");
                        self.shared
                            .status
                            .send_replace(ConnectionStatus::Reconnecting);
                        self.shared
                            .connection(ConnectionEvent::Disconnected { reason });
                    }
                }
            }
            let delay = self.backoff.next_delay();
            self.shared.connection(ConnectionEvent::Reconnecting {
                attempt: self.backoff.attempt(),
                delay,
            });
            if !self.wait(delay).await {
                return self.finish("closed by the client".into());
            }
            let resume = if self.resyncing {
                None
            } else {
                Some(Resume {
                    epoch: self.working.epoch(),
                    seq: self.working.seq(),
                })
            };
            match handshake(&self.options, &self.token, resume.clone()).await {
                Ok((connected, welcome)) => {
                    self.shared
                        .clock_offset_ms
                        .store(clock_offset(&welcome), Ordering::Relaxed);
                    self.shared.connection(ConnectionEvent::Connected {
                        epoch: welcome.epoch,
                        head: welcome.head,
                        resumed_from: resume.map(|r| r.seq),
                    });
                    socket = Some(connected);
                }
                Err(error) if error.is_retryable() => {
                    tracing::debug!(%error, "reconnection failed");
                }
                Err(error) => return self.finish(error.to_string()),
            }
        }
    }

    /// Waits `delay` while taking requests; false if the client closed.
    async fn wait(&mut self, delay: Duration) -> bool {
        let until = Instant::now() + delay;
        loop {
            let deadline = self.next_deadline();
            tokio::select! {
                _ = sleep_until(until) => return true,
                _ = sleep_until(deadline.unwrap_or(until)), if deadline.is_some() => self.expire(),
                op = self.ops.recv() => match op {
                    Some(Op::Command { request_id, frame, reply, deadline }) => {
                        self.outstanding.push_back(Outstanding { request_id, frame, reply, deadline, sent: false });
                    }
                    Some(Op::Sync) => {}
                    Some(Op::Close(done)) => {
                        let _ = done.send(());
                        return false;
                    }
                    None => return false,
                },
            }
        }
    }

    /// Fails what is left and marks the client closed.
    fn finish(mut self, reason: String) {
        for request in self.outstanding.drain(..) {
            let _ = request
                .reply
                .send(Err(RequestError::Closed(reason.clone())));
        }
        for parked in self.parked.drain(..) {
            let _ = parked.reply.send(Ok(parked.ack));
        }
        self.shared
            .status
            .send_replace(ConnectionStatus::Closed(reason.clone()));
        self.shared.connection(ConnectionEvent::Closed { reason });
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.outstanding
            .iter()
            .map(|r| r.deadline)
            .chain(self.parked.iter().map(|p| p.deadline))
            .min()
    }

    /// Answers every request whose deadline has passed.
    fn expire(&mut self) {
        let now = Instant::now();
        let (expired, kept): (Vec<_>, Vec<_>) =
            self.outstanding.drain(..).partition(|r| r.deadline <= now);
        self.outstanding = kept.into();
        for request in expired {
            let _ = request.reply.send(Err(RequestError::TimedOut {
                request_id: request.request_id,
            }));
        }
        let (due, waiting): (Vec<_>, Vec<_>) =
            self.parked.drain(..).partition(|p| p.deadline <= now);
        self.parked = waiting;
        for parked in due {
            let _ = parked.reply.send(Ok(parked.ack));
        }
    }

    /// One connection, from just after `welcome` until it ends.
    async fn session(&mut self, socket: Socket) -> End {
        let (mut sink, mut stream) = socket.split();
        self.last_error = None;
        for request in &mut self.outstanding {
            request.sent = false;
        }
        if self.resend(&mut sink).await.is_err() {
            return End::Lost("cannot send".into());
        }
        let mut idle = Instant::now() + self.options.idle_timeout;
        let mut heard = false;
        let mut resync_by: Option<Instant> = None;
        loop {
            let deadline = self.next_deadline();
            let retry_at = self.retry_at;
            tokio::select! {
                biased;
                received = stream.next() => {
                    idle = Instant::now() + self.options.idle_timeout;
                    let text = match received {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(frame))) => {
                            let code = frame.as_ref().map(|f| u16::from(f.code)).unwrap_or(1005);
                            let reason = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                            if floor_protocol::close::is_final(code) {
                                return End::Fatal(self.last_error.take().unwrap_or(reason));
                            }
                            return End::Lost(format!("closed by the broker ({code} {reason})"));
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => return End::Lost(e.to_string()),
                        None => return End::Lost("the broker closed the connection".into()),
                    };
                    if !heard {
                        // The broker serves this connection: the next loss
                        // starts the backoff afresh.
                        heard = true;
                        self.backoff.reset();
                    }
                    match self.receive(&text) {
                        Next::Go => {}
                        Next::Sync => {
                            resync_by = Some(Instant::now() + RESYNC_TIMEOUT);
                            if send(&mut sink, &ClientMessage::Sync {}).await.is_err() {
                                return End::Lost("cannot send".into());
                            }
                        }
                        Next::Reconnect(reason) => return End::Lost(reason),
                    }
                    if !self.resyncing {
                        resync_by = None;
                    }
                }
                op = self.ops.recv() => match op {
                    Some(Op::Command { request_id, frame, reply, deadline }) => {
                        let sent = send_text(&mut sink, &frame).await.is_ok();
                        self.outstanding.push_back(Outstanding { request_id, frame, reply, deadline, sent });
                        if !sent {
                            return End::Lost("cannot send".into());
                        }
                    }
                    Some(Op::Sync) => {
                        if send(&mut sink, &ClientMessage::Sync {}).await.is_err() {
                            return End::Lost("cannot send".into());
                        }
                    }
                    Some(Op::Close(done)) => {
                        let _ = timeout(SEND_TIMEOUT, sink.send(Message::Close(None))).await;
                        let _ = done.send(());
                        return End::Closed;
                    }
                    None => {
                        let _ = timeout(SEND_TIMEOUT, sink.send(Message::Close(None))).await;
                        return End::Closed;
                    }
                },
                _ = sleep_until(deadline.unwrap_or(idle)), if deadline.is_some() => self.expire(),
                _ = sleep_until(retry_at.unwrap_or(idle)), if retry_at.is_some() => {
                    self.retry_at = None;
                    if self.resend(&mut sink).await.is_err() {
                        return End::Lost("cannot send".into());
                    }
                }
                _ = sleep_until(resync_by.unwrap_or(idle)), if resync_by.is_some() => {
                    // Reconnecting without `resume` brings a fresh snapshot.
                    return End::Lost("no snapshot in time after sync".into());
                }
                _ = sleep_until(idle) => {
                    return End::Lost(format!(
                        "nothing from the broker for {} s",
                        self.options.idle_timeout.as_secs()
                    ));
                }
            }
        }
    }

    /// Sends every outstanding request not yet sent on this connection.
    async fn resend<S>(&mut self, sink: &mut S) -> Result<(), ()>
    where
        S: futures_util::Sink<Message> + Unpin,
    {
        for request in &mut self.outstanding {
            if !request.sent {
                send_text(sink, &request.frame).await?;
                request.sent = true;
            }
        }
        Ok(())
    }
}

async fn send<S>(sink: &mut S, message: &ClientMessage) -> Result<(), ()>
where
    S: futures_util::Sink<Message> + Unpin,
{
    let text = serde_json::to_string(message).map_err(|_| ())?;
    send_text(sink, &text).await
}

/// Sends one text frame; a write that takes longer than [`SEND_TIMEOUT`]
/// counts as a lost connection.
async fn send_text<S>(sink: &mut S, text: &str) -> Result<(), ()>
where
    S: futures_util::Sink<Message> + Unpin,
{
    match timeout(
        SEND_TIMEOUT,
        sink.send(Message::Text(text.to_owned().into())),
    )
    .await
    {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}
