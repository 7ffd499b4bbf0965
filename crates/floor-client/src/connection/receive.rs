//! What the connection task does with each message from the broker:
//! snapshots, events, orders, acknowledgements and errors folded into the
//! state and the requests waiting on them.

use std::sync::Arc;

use floor_protocol::ServerMessage;
use tokio::time::Instant;

use super::{Connection, Next, Parked, RETRY_AFTER};
use crate::client::{Ack, ConnectionEvent, Update};
use crate::error::{Refusal, RequestError};
use crate::state::RoomState;

impl Connection {
    /// Handles one message.
    pub(super) fn receive(&mut self, text: &str) -> Next {
        let message = match serde_json::from_str::<ServerMessage>(text) {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(%error, "unreadable message from the broker");
                return Next::Go;
            }
        };
        match message {
            ServerMessage::Welcome { .. } => Next::Go,
            ServerMessage::Snapshot {
                epoch,
                reason,
                room,
                order,
            } => {
                let seq = room.seq;
                self.working = RoomState::from_snapshot(epoch, room, order);
                let previous = self.shared.state.send_replace(self.working.clone());
                self.resyncing = false;
                self.shared.emit(Update::Snapshot { reason, seq });
                if previous.epoch() != epoch {
                    // Sequence numbers of the old log mean nothing now.
                    for parked in self.parked.drain(..) {
                        let _ = parked.reply.send(Ok(parked.ack));
                    }
                }
                self.release();
                Next::Go
            }
            ServerMessage::Events { epoch, events } => {
                if self.resyncing {
                    return Next::Go;
                }
                let shared = &self.shared;
                let result = self.working.fold_events(epoch, &events, |event| {
                    shared.emit(Update::Event(Arc::new(event.clone())));
                });
                self.check(result)
            }
            ServerMessage::Order { epoch, seq, order } => {
                if self.resyncing {
                    return Next::Go;
                }
                let result = self.working.take_order(epoch, seq, order);
                if result.is_ok() {
                    self.shared.state.send_replace(self.working.clone());
                    self.shared.emit(Update::Order { seq });
                    self.release();
                }
                self.check(result)
            }
            ServerMessage::Ack {
                request_id,
                first_seq,
                last_seq,
                entry_id,
                duplicate,
            } => {
                let Some(at) = self
                    .outstanding
                    .iter()
                    .position(|r| r.request_id == request_id)
                else {
                    return Next::Go;
                };
                let Some(request) = self.outstanding.remove(at) else {
                    return Next::Go;
                };
                self.parked.push(Parked {
                    ack: Ack {
                        request_id,
                        first_seq,
                        last_seq,
                        entry_id,
                        duplicate,
                    },
                    reply: request.reply,
                    deadline: request.deadline,
                });
                self.release();
                Next::Go
            }
            ServerMessage::Error(error) => {
                let Some(request_id) = error.request_id.clone() else {
                    tracing::warn!(code = %error.code, message = %error.message, "broker error");
                    self.last_error = Some(format!("{}: {}", error.code, error.message));
                    if self.resyncing {
                        // Most likely our `sync` was refused (rate limited):
                        // a new connection without `resume` brings the
                        // snapshot instead.
                        return Next::Reconnect(format!("sync refused: {}", error.message));
                    }
                    return Next::Go;
                };
                let Some(at) = self
                    .outstanding
                    .iter()
                    .position(|r| r.request_id == request_id)
                else {
                    return Next::Go;
                };
                if error.code.retry_with_same_id() {
                    // Nothing was recorded, or the broker could not learn
                    // whether it was: send it again shortly, same id (a
                    // command that had taken effect is acknowledged then).
                    if let Some(request) = self.outstanding.get_mut(at) {
                        request.sent = false;
                    }
                    self.retry_at.get_or_insert(Instant::now() + RETRY_AFTER);
                    return Next::Go;
                }
                if let Some(request) = self.outstanding.remove(at) {
                    let _ = request
                        .reply
                        .send(Err(RequestError::Refused(Refusal::from(error))));
                }
                Next::Go
            }
        }
    }

    /// Reports an anomaly, which asks for a snapshot.
    pub(super) fn check(&mut self, result: Result<(), crate::state::Anomaly>) -> Next {
        match result {
            Ok(()) => Next::Go,
            Err(anomaly) => {
                tracing::warn!(%anomaly, "resyncing");
                self.resyncing = true;
                self.shared
                    .connection(ConnectionEvent::Resyncing { anomaly });
                Next::Sync
            }
        }
    }

    /// Resolves acknowledged requests whose events the state now holds.
    pub(super) fn release(&mut self) {
        if self.parked.is_empty() {
            return;
        }
        let seq = self.shared.state.borrow().seq();
        let (ready, waiting): (Vec<_>, Vec<_>) =
            self.parked.drain(..).partition(|p| p.ack.last_seq <= seq);
        self.parked = waiting;
        for parked in ready {
            let _ = parked.reply.send(Ok(parked.ack));
        }
    }
}
