//! Writing to a connection's socket: broadcast frames coalesced into one
//! write, the connection's own replies, and the limits that close a
//! reader too slow for its room.

use floor_core::audience::Audience;
use futures_util::{FutureExt, SinkExt};
use tokio::sync::{broadcast, watch};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::{Close, Connection, SEND_TIMEOUT, close_code};
use crate::limits::{MAX_QUEUED_BYTES, REPLY_QUEUE};
use crate::outbound;
use crate::room::{Frame, Lead, Reply};

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

    /// Sends a broadcast frame and those queued behind it
    /// ([`Connection::forward_frames`]), then a reply that was waiting for
    /// them.
    pub(super) async fn forward(
        &mut self,
        frame: Result<Frame, broadcast::error::RecvError>,
        frames: &mut broadcast::Receiver<Frame>,
        broadcast_bytes: &mut watch::Receiver<u64>,
    ) -> Result<(), Option<Close>> {
        self.forward_frames(frame, frames, broadcast_bytes).await?;
        self.release_held().await
    }

    /// Sends the reply held for frames not yet sent, once they are.
    pub(super) async fn release_held(&mut self) -> Result<(), Option<Close>> {
        let sent = self.sent_seq;
        match self.held.take_if(|reply| reply.after_seq <= sent) {
            Some(reply) => self.send_replies(reply).await,
            None => Ok(()),
        }
    }

    /// Sends a broadcast frame, and with it every frame the room has
    /// already queued behind it (up to [`COALESCE_BYTES`]), in one write:
    /// a commit's events and the order that follows them reach the socket
    /// together, so a burst costs each subscriber one wake-up and one
    /// system call instead of one per frame.
    async fn forward_frames(
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
                let then = if self.compact_order {
                    frame.then_compact
                } else {
                    frame.then
                };
                let text = match (self.audience(), frame.public) {
                    (Audience::Public, Some(public)) => public,
                    _ => frame.text,
                };
                for text in std::iter::once(text).chain(then) {
                    fed += text.len();
                    self.write_within(Some(Message::Text(text)), limit, broadcast_bytes)
                        .await?;
                }
            }
            // Sent, or covered by a snapshot sent before.
            self.sent_seq = self.sent_seq.max(frame.last_seq);
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

    /// Queues a batch's frames handed over with an answer; the broadcast's
    /// copies are then skipped. Returns how many it queued.
    async fn send_lead(&mut self, lead: &Lead) -> Result<usize, Option<Close>> {
        let mut queued = 0;
        for frame in lead.frames.iter() {
            let then = if self.compact_order {
                &frame.then_compact
            } else {
                &frame.then
            };
            let text = match (self.audience(), &frame.public) {
                (Audience::Public, Some(public)) => public,
                _ => &frame.text,
            };
            for text in std::iter::once(text).chain(then) {
                self.write(Message::Text(text.clone()), false).await?;
                queued += 1;
            }
            self.covered_seq = self.covered_seq.max(frame.last_seq);
            self.sent_seq = self.sent_seq.max(frame.last_seq);
        }
        Ok(queued)
    }

    /// Writes `first` and every other answer already queued (a commit
    /// answers many commands of one connection at once) in one write. An
    /// answer whose events this connection has not sent yet (the room
    /// answers a command before it broadcasts, so that the issuer is woken
    /// first) is held, with every answer behind it, until they are: an
    /// `ack` always follows its events and their `order`.
    pub(super) async fn send_replies(&mut self, first: Reply) -> Result<(), Option<Close>> {
        let mut reply = first;
        let mut wrote = 0;
        // The stages of the commands answered, counted once written.
        let mut answered = Vec::new();
        loop {
            if reply.after_seq > self.sent_seq {
                match reply.lead.take() {
                    // Everything before the batch is sent: its frames next.
                    Some(lead) if lead.from_seq == self.sent_seq => {
                        wrote += self.send_lead(&lead).await?;
                    }
                    // Frames before it are still to come: the broadcast
                    // brings them in order.
                    _ => {
                        self.held = Some(reply);
                        break;
                    }
                }
            }
            self.write(Message::Text(reply.text), false).await?;
            answered.extend(reply.stamps);
            wrote += 1;
            // At most a queue's worth in one write.
            if wrote > REPLY_QUEUE {
                break;
            }
            let Some((_, replies)) = &mut self.replies else {
                break;
            };
            match replies.try_recv() {
                Ok(next) => reply = next,
                Err(_) => break,
            }
        }
        if wrote == 0 {
            return Ok(());
        }
        self.flush().await?;
        let written = std::time::Instant::now();
        for stamps in &answered {
            self.broker.metrics.observe_command(stamps, written);
        }
        Ok(())
    }
}
