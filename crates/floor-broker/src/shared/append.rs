//! Appending a commit to a room's subject, and learning its outcome when
//! JetStream's acknowledgement is lost.
//!
//! An append is one message with a message id (`Nats-Msg-Id`, the
//! commit's requests) and the sequence the room's subject must still end
//! at (`Nats-Expected-Last-Subject-Sequence`). Both make sending the very
//! same message again harmless: JetStream drops a second copy within its
//! duplicate window, and refuses any message once the subject moved on.
//! So when an attempt gets no answer in [`ACK_WAIT`] (the stream's leader
//! died, a partition, a reconnection), the append sends the identical
//! message again, with a short back-off, until an answer says what
//! happened or [`OUTCOME_DEADLINE`] passes:
//!
//! - an acknowledgement: stored, now or by the lost attempt (JetStream
//!   says `duplicate` for the latter, and the room reads the log to find
//!   it);
//! - "wrong last sequence": not stored by this attempt; the room reads the
//!   log, where it finds the commit if a lost attempt stored it;
//! - no answer before the deadline: [`Appended::Unknown`], which a client
//!   hears as `outcome_unknown` ("retry with the same request id").
//!
//! JetStream's refusal of one attempt (its leader stepping down, say) is
//! not proof that the message is not stored: a stream leader that loses
//! its place may have proposed it already, and the next leader commits
//! it. Such an attempt counts as one that may have been stored, like a
//! lost one; only an attempt that never reached a stream (not sent, or no
//! responders) is known to have stored nothing.

use std::time::{Duration, Instant};

use async_nats::jetstream::{self, context::PublishErrorKind};
use bytes::Bytes;

use floor_core::declarations::Declarations;

use super::{Appended, DECLARED_HEADER, IN_FLIGHT, Shared, jetstream_code, subject};
use crate::commit::WriteError;

/// How long one attempt waits for JetStream's acknowledgement before the
/// identical message is sent again. A healthy cluster answers in
/// milliseconds; a slow answer only costs a second copy, which JetStream
/// drops.
pub const ACK_WAIT: Duration = Duration::from_millis(300);
/// How long an append keeps trying to learn whether its commit was
/// stored: longer than NATS takes to elect a stream leader after losing
/// one (4 to 8 s), so that a leader's loss ends in a known outcome.
pub const OUTCOME_DEADLINE: Duration = Duration::from_secs(12);
/// How long a commit waits for a lost connection to NATS to come back
/// before it is refused with `storage_unavailable` (nothing sent).
const RECONNECT_WAIT: Duration = Duration::from_secs(1);
/// The first pause between two attempts; it doubles up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(25);
/// The longest pause between two attempts: a new stream leader is used at
/// most this long (plus an attempt's [`ACK_WAIT`]) after it is elected.
const RETRY_MAX: Duration = Duration::from_millis(100);

/// What one attempt learned.
enum Attempt {
    /// JetStream answered: the append is decided.
    Decided(Appended),
    /// This attempt never reached a stream (not sent, or no responders):
    /// it stored nothing.
    NotStored(String),
    /// No answer, or JetStream's refusal for a reason that may pass (a
    /// leader stepping down, a temporary failure): this attempt may have
    /// been stored.
    Lost(String),
}

impl Shared {
    /// Appends a commit of `room` (its events' texts, one per line, and
    /// the genders its commands declared in a header) if the room's last
    /// message is still the one at `expected` (0: none). An attempt whose
    /// answer is lost is sent again, identical, until its outcome is known
    /// or [`OUTCOME_DEADLINE`] passes (see the module's documentation).
    ///
    /// `Err` means that nothing was stored: the store was known to be
    /// unreachable before anything was sent ([`WriteError::Unavailable`]),
    /// or no attempt reached a stream ([`WriteError::Failed`]).
    pub async fn append(
        &self,
        room: &str,
        events: &[&str],
        declared: &Declarations,
        message_id: &str,
        expected: u64,
    ) -> Result<Appended, WriteError> {
        if !self.health.available() && !self.reconnected_within(RECONNECT_WAIT).await {
            return Err(WriteError::Unavailable);
        }
        let payload = Bytes::from(events.join("\n"));
        let declared = (!declared.is_empty()).then(|| declared.to_line());
        let message = || {
            let mut message = jetstream::message::PublishMessage::build()
                .payload(payload.clone())
                .message_id(message_id)
                .expected_last_subject_sequence(expected);
            if let Some(line) = &declared {
                message = message.header(DECLARED_HEADER, line.as_str());
            }
            message
        };
        let deadline = Instant::now() + OUTCOME_DEADLINE;
        let mut pause = RETRY_FIRST;
        let mut lost = false;
        loop {
            let attempt = self.attempt(room, message()).await;
            if matches!(attempt, Attempt::Decided(_)) {
                self.silence.heard();
            } else {
                self.silence.unheard();
            }
            let reason = match attempt {
                Attempt::Decided(Appended::Behind { maybe_stored }) => {
                    self.conflicts.inc();
                    return Ok(Appended::Behind {
                        maybe_stored: maybe_stored || lost,
                    });
                }
                Attempt::Decided(decided) => return Ok(decided),
                Attempt::NotStored(reason) => reason,
                Attempt::Lost(reason) => {
                    lost = true;
                    reason
                }
            };
            if Instant::now() + pause >= deadline {
                tracing::warn!(room, message_id, %reason, lost, "an append's outcome is not known in time");
                return if lost {
                    Ok(Appended::Unknown(reason))
                } else {
                    Err(WriteError::Failed(reason))
                };
            }
            tracing::debug!(room, message_id, %reason, "an append gets no answer; sending it again");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(RETRY_MAX);
        }
    }

    /// Whether the connection to NATS is back within `wait` (a reconnection
    /// takes milliseconds: a commit waits for it rather than be refused).
    async fn reconnected_within(&self, wait: Duration) -> bool {
        let mut recoveries = self.health.recoveries();
        let back = async {
            while !self.health.available() {
                if recoveries.changed().await.is_err() {
                    return false;
                }
            }
            true
        };
        tokio::time::timeout(wait, back).await.unwrap_or(false)
    }

    /// Sends the message once and waits up to [`ACK_WAIT`] for its answer.
    async fn attempt(&self, room: &str, message: jetstream::message::PublishMessage) -> Attempt {
        let sent = match self.js.send_publish(subject(room), message).await {
            Ok(sent) => sent,
            // Refused before it left (a full queue of unacknowledged
            // publishes, say): nothing sent.
            Err(error) => return Attempt::NotStored(error.to_string()),
        };
        let answer = match tokio::time::timeout(ACK_WAIT, sent).await {
            Ok(answer) => answer,
            Err(_) => return Attempt::Lost("no acknowledgement in time".into()),
        };
        match answer {
            // Stored at last by an attempt whose answer was lost (or by
            // another broker that sent the same request): the room finds
            // it in the log.
            Ok(ack) if ack.duplicate => Attempt::Decided(Appended::Behind { maybe_stored: true }),
            Ok(ack) => Attempt::Decided(Appended::Stored(ack.sequence)),
            Err(error) if error.kind() == PublishErrorKind::WrongLastSequence => {
                Attempt::Decided(Appended::Behind {
                    maybe_stored: false,
                })
            }
            // A replicated stream refuses, unchecked, an append expecting a
            // sequence while another append to the subject is still being
            // replicated (10164): nothing was stored; the room catches up
            // after a moment and decides again.
            Err(error) if jetstream_code(&error) == Some(IN_FLIGHT) => {
                let pause = rand::random_range(1..=32);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                Attempt::Decided(Appended::Behind {
                    maybe_stored: false,
                })
            }
            // No responders (no stream holds the subject now), or refused
            // before it was sent: this attempt was not stored.
            Err(error)
                if matches!(
                    error.kind(),
                    PublishErrorKind::StreamNotFound
                        | PublishErrorKind::MaxAckPending
                        | PublishErrorKind::MaxPayloadExceeded
                ) =>
            {
                Attempt::NotStored(error.to_string())
            }
            // The message may have reached the stream and its answer be
            // lost on the way back; or JetStream refused it while its
            // leader changed, which may still commit it.
            Err(error) => Attempt::Lost(error.to_string()),
        }
    }
}
