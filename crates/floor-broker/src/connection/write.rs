//! Writing to a connection's socket: broadcast frames coalesced into one
//! write, the connection's own replies, and the limits that close a
//! reader too slow for its room.

use futures_util::{FutureExt, SinkExt};
use tokio::sync::{broadcast, watch};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::{Close, Connection, SEND_TIMEOUT, close_code};
use crate::limits::{MAX_QUEUED_BYTES, REPLY_QUEUE};
use crate::outbound;
use crate::room::Frame;

/// Most bytes of broadcast frames sent in one write (see
/// `Connection::forward`).
const COALESCE_BYTES: usize = 64 * 1024;

impl Connection {
    pub(super) async fn send(&mut self, text: Utf8Bytes) -> Result<(), Option<Close>> {
        self.send_message(Message::Text(text)).await
    }

    /// Writes one message; a write that takes longer than [`SEND_TIMEOUT`]
    /// marks the connection too slow.
    pub(super) async fn send_message(&mut self, message: Message) -> Result<(), Option<Close>> {
        self.write(message, true).await
    }

    /// Queues one message for the socket, and writes out the queue when
    /// `flush`; a write that takes longer than [`SEND_TIMEOUT`] marks the
    /// connection too slow.
    async fn write(&mut self, message: Message, flush: bool) -> Result<(), Option<Close>> {
        let write = async {
            match message {
                Message::Text(text) => outbound::write_text(&mut self.socket, text, flush).await,
                message if flush => self.socket.send(message).await,
                message => self.socket.feed(message).await,
            }
        };
        match timeout(SEND_TIMEOUT, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(None),
            Err(_) => Err(Some(Close::too_slow())),
        }
    }

    /// Writes out what [`Connection::write`] queued.
    async fn flush(&mut self) -> Result<(), Option<Close>> {
        match timeout(SEND_TIMEOUT, self.socket.flush()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(None),
            Err(_) => Err(Some(Close::too_slow())),
        }
    }

    /// Sends a broadcast frame, and with it every frame the room has
    /// already queued behind it (up to [`COALESCE_BYTES`]), in one write:
    /// a commit's events and the order that follows them reach the socket
    /// together, so a burst costs each subscriber one wake-up and one
    /// system call instead of one per frame.
    pub(super) async fn forward(
        &mut self,
        frame: Result<Frame, broadcast::error::RecvError>,
        frames: &mut broadcast::Receiver<Frame>,
        broadcast_bytes: &mut watch::Receiver<u64>,
    ) -> Result<(), Option<Close>> {
        let mut frame = match frame {
            Ok(frame) => frame,
            Err(broadcast::error::RecvError::Lagged(_)) => return Err(Some(Close::too_slow())),
            Err(broadcast::error::RecvError::Closed) => {
                return Err(Some(Close::new(close_code::GOING_AWAY, "room closed")));
            }
        };
        let mut fed = 0;
        let mut limit = 0;
        loop {
            if frame.last_seq > self.covered_seq {
                // Closed as soon as the room has broadcast more than the
                // limit beyond this frame, even while the write is stuck.
                limit = frame.end.saturating_add(MAX_QUEUED_BYTES);
                if *broadcast_bytes.borrow() > limit {
                    return Err(Some(Close::too_slow()));
                }
                for text in std::iter::once(frame.text).chain(frame.then) {
                    fed += text.len();
                    self.write_within(Some(Message::Text(text)), limit, broadcast_bytes)
                        .await?;
                }
            }
            if fed >= COALESCE_BYTES {
                break;
            }
            frame = match frames.try_recv() {
                Ok(next) => next,
                Err(broadcast::error::TryRecvError::Lagged(_)) => {
                    return Err(Some(Close::too_slow()));
                }
                // Empty, or closed (which the next `recv` reports).
                Err(_) => break,
            };
        }
        if fed == 0 {
            return Ok(());
        }
        self.write_within(None, limit, broadcast_bytes).await
    }

    /// Queues `message` (or, for `None`, writes out the queue), giving up
    /// as too slow once the room has broadcast past `limit` bytes while
    /// the write waits. A write that completes at once (the usual case)
    /// never watches the room's byte count.
    pub(super) async fn write_within(
        &mut self,
        message: Option<Message>,
        limit: u64,
        broadcast_bytes: &mut watch::Receiver<u64>,
    ) -> Result<(), Option<Close>> {
        let write = async {
            match message {
                Some(message) => self.write(message, false).await,
                None => self.flush().await,
            }
        };
        tokio::pin!(write);
        if let Some(done) = (&mut write).now_or_never() {
            return done;
        }
        tokio::select! {
            done = write => done,
            _ = broadcast_bytes.wait_for(|total| *total > limit) => {
                Err(Some(Close::too_slow()))
            }
        }
    }

    /// Writes `first` and every other answer already queued (a commit
    /// answers many commands of one connection at once) in one write.
    pub(super) async fn send_replies(&mut self, first: Utf8Bytes) -> Result<(), Option<Close>> {
        self.write(Message::Text(first), false).await?;
        for _ in 0..REPLY_QUEUE {
            let Ok(reply) = self.replies.try_recv() else {
                break;
            };
            self.write(Message::Text(reply), false).await?;
        }
        self.flush().await
    }
}
