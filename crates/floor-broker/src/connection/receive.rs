//! A client's messages on an open connection: `sync`, commands (with the
//! rate limit, the participants' budget and the store's health checked
//! before the room sees them), and the refusal of anything else.

use floor_protocol::{ClientMessage, ErrorCode, Role};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

use super::{Close, Connection, close_code};
use crate::handshake::decode;
use crate::limits::MAX_INVALID_MESSAGES;
use crate::room::{CommandMsg, RoomMsg, error_text};

impl Connection {
    async fn refuse(
        &mut self,
        request_id: Option<String>,
        code: ErrorCode,
        message: String,
    ) -> Result<(), Option<Close>> {
        self.invalid += 1;
        self.send(error_text(request_id, code, message)).await?;
        if self.invalid > MAX_INVALID_MESSAGES {
            return Err(Some(Close::new(
                close_code::ABUSE,
                "too many invalid messages",
            )));
        }
        Ok(())
    }

    /// Spends the address's budget for a participant's `submit` (the
    /// staff's roles and other commands spend nothing).
    fn spend_budget(&self, command: &floor_protocol::Command) -> Result<(), crate::budget::Spent> {
        if self.actor.role != Role::Participant
            || !matches!(command, floor_protocol::Command::Submit { .. })
        {
            return Ok(());
        }
        self.broker.budget.spend(self.ip)
    }

    pub(super) async fn receive(
        &mut self,
        message: Message,
        limiter: Option<&governor::DefaultDirectRateLimiter>,
    ) -> Result<(), Option<Close>> {
        let received = std::time::Instant::now();
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(_) => {
                return self
                    .refuse(
                        None,
                        ErrorCode::BinaryFrame,
                        "binary frames are not part of the protocol".into(),
                    )
                    .await;
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return Ok(()),
            Message::Close(_) => return Err(None),
        };
        match decode(&text) {
            Err((code, message)) => self.refuse(None, code, message).await,
            Ok(ClientMessage::Hello(_)) => {
                self.refuse(
                    None,
                    ErrorCode::HelloRepeated,
                    "hello was already sent on this connection".into(),
                )
                .await
            }
            Ok(ClientMessage::Sync {}) => {
                if limiter.is_some_and(|l| l.check().is_err()) {
                    let text = error_text(
                        None,
                        ErrorCode::RateLimited,
                        "too many requests; sync again later",
                    );
                    return self.send(text).await;
                }
                let (reply, answer) = oneshot::channel();
                let reason = floor_protocol::message::SnapshotReason::Requested;
                let audience = self.audience();
                let snapshot = RoomMsg::Snapshot {
                    reason,
                    audience,
                    reply,
                };
                if !self.room.send(snapshot).await {
                    return Err(Some(Close::new(close_code::GOING_AWAY, "room closed")));
                }
                match answer.await {
                    Ok((snapshot, seq)) => {
                        self.covered_seq = seq;
                        self.sent_seq = self.sent_seq.max(seq);
                        self.send(snapshot).await?;
                        self.release_held().await
                    }
                    Err(_) => Err(Some(Close::new(close_code::GOING_AWAY, "room closed"))),
                }
            }
            Ok(ClientMessage::Command {
                request_id,
                command,
            }) => {
                if matches!(command, floor_protocol::Command::RecordAttendance { .. }) {
                    let text = error_text(
                        Some(request_id),
                        ErrorCode::Forbidden,
                        "record_attendance is the broker's own: it counts the participant pages connected",
                    );
                    return self.send(text).await;
                }
                if limiter.is_some_and(|l| l.check().is_err()) {
                    let text = error_text(
                        Some(request_id),
                        ErrorCode::RateLimited,
                        format!(
                            "more than {} commands a second; retry with the same request id",
                            self.broker.config.commands_per_second
                        ),
                    );
                    return self.send(text).await;
                }
                // (A shared store's room waits a moment for a lost NATS
                // connection to come back before it refuses.)
                if self.broker.log.refuses_now() {
                    let text = error_text(
                        Some(request_id),
                        ErrorCode::StorageUnavailable,
                        "the broker cannot persist writes right now; retry with the same request id",
                    );
                    return self.send(text).await;
                }
                if let Err(spent) = self.spend_budget(&command) {
                    return self
                        .send(error_text(
                            Some(request_id),
                            ErrorCode::RateLimited,
                            spent.to_string(),
                        ))
                        .await;
                }
                self.commanded = true;
                let msg = RoomMsg::Command(CommandMsg {
                    actor: self.actor.clone(),
                    request_id,
                    command,
                    reply: self
                        .replies
                        .get_or_insert_with(|| {
                            tokio::sync::mpsc::channel(crate::limits::REPLY_QUEUE)
                        })
                        .0
                        .clone(),
                    overflow: self.overflow.clone(),
                    received,
                });
                if self.room.send(msg).await {
                    Ok(())
                } else {
                    Err(Some(Close::new(close_code::GOING_AWAY, "room closed")))
                }
            }
        }
    }
}
