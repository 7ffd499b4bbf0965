//! Deciding a batch of commands and committing it to the embedded log
//! (the shared store's commit is in `shared_log.rs`): answers held until
//! the commit, a rollback when it fails, checkpoints, and the reload after
//! the store recovers.

use std::sync::Arc;
use std::time::Instant;

use floor_core::CommandError;
use floor_core::Savepoint;
use floor_core::checkpoint;
use floor_core::declarations::{Declarations, served_text};
use floor_protocol::message::ErrorMessage;
use floor_protocol::{ErrorCode, RoomEvent, ServerMessage};
use floor_store::Append;
use uuid::Uuid;

use super::handle::{Frame, Lead, Reply};
use super::replay::replay;
use super::{Answer, CommandMsg, RoomActor, RoomLog, log_read_error, now_ms, text};
use crate::commit::{WriteError, Writer};
use crate::limits::CHECKPOINT_GAP;
use crate::metrics::Stamps;

/// Answers a command `storage_unavailable` (a room that cannot serve it
/// now; the client retries with the same request id).
pub(crate) fn answer_unavailable(command: &CommandMsg) {
    if let Answer::Error(error) = unavailable(command) {
        reply(command, 0, None, None, &ServerMessage::Error(error));
    }
}

/// When a batch passed the room's stages: taken up, decided (the embedded
/// log only), stored.
#[derive(Debug, Clone, Copy)]
pub(super) struct BatchTimes {
    pub(super) taken: Instant,
    pub(super) decided: Option<Instant>,
    pub(super) stored: Instant,
}

impl BatchTimes {
    fn stamps(&self, command: &CommandMsg) -> Stamps {
        Stamps {
            received: command.received,
            taken: self.taken,
            decided: self.decided,
            stored: self.stored,
        }
    }
}

/// Queues each command's answer on its connection: an `ack` to be sent
/// after its events, a refusal after every event the room held when it
/// decided it (`seq`), so a refused client sees the state that refused it
/// (a `speaker_changed`, say). The answers that come after the batch's
/// events carry them (`lead`); returns whether any did.
fn send_answers(
    commands: &[CommandMsg],
    answers: Vec<Answer>,
    seq: u64,
    lead: Option<&Lead>,
    times: &BatchTimes,
) -> bool {
    let mut led = false;
    let mut lead_for = |after_seq: u64| {
        let lead = lead.filter(|lead| after_seq > lead.from_seq).cloned();
        led |= lead.is_some();
        lead
    };
    for (command, answer) in commands.iter().zip(answers) {
        match answer {
            Answer::Ack {
                request_id,
                receipt,
                duplicate,
            } => reply(
                command,
                receipt.last_seq,
                lead_for(receipt.last_seq),
                Some(times.stamps(command)),
                &ServerMessage::Ack {
                    request_id,
                    first_seq: receipt.first_seq,
                    last_seq: receipt.last_seq,
                    entry_id: receipt.entry_id,
                    duplicate,
                },
            ),
            Answer::Error(error) => reply(
                command,
                seq,
                lead_for(seq),
                Some(times.stamps(command)),
                &ServerMessage::Error(error),
            ),
        }
    }
    led
}

/// Queues `message` on the command's connection, to be sent once the
/// connection has sent the room's frames up to `after_seq`. A full reply
/// queue means the connection is not reading: it is told to close ("too
/// slow"), and its client retries by request id, so no answer is silently
/// lost.
fn reply(
    command: &CommandMsg,
    after_seq: u64,
    lead: Option<Lead>,
    stamps: Option<Stamps>,
    message: &ServerMessage,
) {
    let reply = Reply {
        after_seq,
        text: text(message),
        lead,
        stamps,
    };
    if command.reply.try_send(reply).is_err() {
        command.overflow.cancel();
    }
}
/// What a batch's commands decided, before it is committed.
pub(super) struct Decided {
    /// The room before the batch, to go back to: a savepoint costs what
    /// the batch changes, where a clone would copy every entry.
    pub(super) before: Savepoint,
    pub(super) answers: Vec<Answer>,
    pub(super) raws: Vec<(u64, Arc<str>)>,
    /// The (client key, request id) of each command that made events: a
    /// shared commit is named by them.
    pub(super) requests: Vec<(String, String)>,
    /// The genders the commands declared: stored with the events, never
    /// in them.
    pub(super) declared: Declarations,
    /// The first command that changed the room: answers from there on are
    /// void if the commit fails.
    pub(super) first_change: Option<usize>,
}

/// Why a command was not applied: refused by the room, or an event of it
/// that did not serialize.
#[derive(Debug, thiserror::Error)]
enum DecideError {
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error("an event did not serialize: {0}")]
    Encode(#[from] serde_json::Error),
}

impl DecideError {
    fn code(&self) -> ErrorCode {
        match self {
            DecideError::Command(error) => error.code(),
            DecideError::Encode(_) => ErrorCode::Internal,
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            DecideError::Command(error) => error.field(),
            DecideError::Encode(_) => None,
        }
    }

    fn entry_id(&self) -> Option<Uuid> {
        match self {
            DecideError::Command(error) => error.entry_id(),
            DecideError::Encode(_) => None,
        }
    }
}

/// A command's events as the text the log stores and subscribers get,
/// serialized once.
fn serialize(events: &[RoomEvent]) -> Result<Vec<(u64, Arc<str>)>, DecideError> {
    events
        .iter()
        .map(|event| Ok((event.seq, Arc::from(serde_json::to_string(event)?))))
        .collect()
}

/// The answer to a command the room cannot take now.
pub(super) fn unavailable(command: &CommandMsg) -> Answer {
    Answer::Error(ErrorMessage {
        request_id: Some(command.request_id.clone()),
        code: ErrorCode::StorageUnavailable,
        message: "the broker cannot persist writes right now; retry with the same request id"
            .into(),
        field: None,
        entry_id: None,
    })
}

impl RoomActor {
    /// Hands the store a checkpoint of the room when [`checkpoint::INTERVAL`]
    /// events were committed since the last one and [`CHECKPOINT_GAP`] has
    /// passed since it. The commands of the batch do not wait for it: it is
    /// a cache of the log, written after them.
    pub(super) fn checkpoint_if_due(&mut self) {
        let seq = self.room.seq();
        if seq < self.checkpointed + checkpoint::INTERVAL {
            return;
        }
        // A checkpoint costs the whole room's size: a room written to
        // thousands of times a second takes one per [`CHECKPOINT_GAP`], not
        // one per `INTERVAL` events; its next start folds the events since
        // its last checkpoint (a room that stops right after a burst keeps
        // them until its next commit).
        let now = std::time::Instant::now();
        if self
            .checkpointed_at
            .is_some_and(|at| now.duration_since(at) < CHECKPOINT_GAP)
        {
            return;
        }
        self.checkpointed_at = Some(now);
        self.checkpoint_now();
    }

    /// Hands the log a checkpoint of the room as it is now (not awaited).
    pub(super) fn checkpoint_now(&mut self) {
        let seq = self.room.seq();
        self.log
            .checkpoint(self.id.clone(), &self.room, self.stream_seq);
        self.checkpointed = seq;
    }

    /// Decides, stores and answers a batch of commands the room's task
    /// took up at `taken`.
    pub(super) async fn commit(&mut self, commands: Vec<CommandMsg>, taken: Instant) {
        if commands.is_empty() {
            return;
        }
        match self.log.clone() {
            RoomLog::Local(writer) => self.commit_local(&writer, &commands, taken).await,
            RoomLog::Shared(shared) => {
                let answers = self.commit_shared(&shared, &commands).await;
                let times = BatchTimes {
                    taken,
                    decided: None,
                    stored: Instant::now(),
                };
                send_answers(&commands, answers, self.room.seq(), None, &times);
            }
        }
        // The embedded store's commit takes its checkpoint itself; a shared
        // room's is taken once its commands are answered.
        if self.log.shared().is_some() {
            self.checkpoint_if_due();
        }
    }

    /// Takes the room back to its state before a batch.
    pub(super) fn go_back(&mut self, before: Savepoint) {
        // Taken on this room before the batch, and nothing else goes back
        // in between: the savepoint is open.
        if let Err(error) = self.room.rollback(before) {
            tracing::error!(room = %self.id, %error, "the room could not go back before its batch");
        }
    }

    /// Decides and applies every command of a batch on the live room.
    pub(super) fn decide_batch(&mut self, commands: &[CommandMsg]) -> Decided {
        let before = self.room.savepoint();
        let mut answers = Vec::with_capacity(commands.len());
        let mut raws: Vec<(u64, Arc<str>)> = Vec::new();
        let mut requests = Vec::new();
        let mut declared = Declarations::new();
        let mut first_change = None;
        for (i, command) in commands.iter().enumerate() {
            let decided_before = raws.len();
            answers.push(self.decide(command, &mut raws, &mut requests, &mut declared));
            if first_change.is_none() && raws.len() > decided_before {
                first_change = Some(i);
            }
        }
        Decided {
            before,
            answers,
            raws,
            requests,
            declared,
            first_change,
        }
    }

    /// Commits a batch to the embedded log through the writer.
    async fn commit_local(&mut self, writer: &Writer, commands: &[CommandMsg], taken: Instant) {
        let Decided {
            before,
            mut answers,
            mut raws,
            declared,
            first_change,
            ..
        } = self.decide_batch(commands);
        let decided = Instant::now();
        let mut refused_by_log = false;
        if !raws.is_empty() {
            let append = Append {
                room: self.id.clone(),
                events: raws
                    .iter()
                    .map(|(seq, raw)| (*seq, raw.to_string()))
                    .collect(),
                declarations: declared.to_pairs(),
            };
            if let Err(error) = writer.append(append).await {
                tracing::error!(room = %self.id, %error, "commit failed; the batch is refused");
                self.go_back(before);
                refused_by_log = matches!(error, WriteError::Refused(_));
                // Every answer decided on the discarded state is void, the
                // refusals too: retried, they are decided afresh.
                let void = answers
                    .iter_mut()
                    .zip(commands)
                    .skip(first_change.unwrap_or(0));
                for (answer, command) in void {
                    *answer = unavailable(command);
                }
                raws.clear();
            }
        }
        let times = BatchTimes {
            taken,
            decided: Some(decided),
            stored: Instant::now(),
        };
        // The answers first, with the batch's frames, and a turn for their
        // connections before the broadcast: the issuers send their events
        // and `ack` at once, before a thousand screens take the CPU.
        let from_seq = raws.first().map_or(0, |(seq, _)| seq.saturating_sub(1));
        let frames: Arc<[Frame]> = self.prepare(raws).into();
        let lead = (!frames.is_empty()).then(|| Lead {
            from_seq,
            frames: frames.clone(),
        });
        if send_answers(commands, answers, self.room.seq(), lead.as_ref(), &times) {
            tokio::task::yield_now().await;
        }
        self.send_frames(&frames);
        self.checkpoint_if_due();
        if refused_by_log {
            // The log holds more than this room knew (a commit reported as
            // failed had reached the disk): catch up from it.
            self.reload().await;
        }
    }

    /// Decides and applies one command on the live room, through the
    /// core's one path ([`floor_core::Room::execute_with`]): its events are
    /// serialized before they are applied, so a command whose events do
    /// not all serialize or apply leaves nothing behind (the batch is
    /// rolled back if its commit fails).
    fn decide(
        &mut self,
        command: &CommandMsg,
        raws: &mut Vec<(u64, Arc<str>)>,
        requests: &mut Vec<(String, String)>,
        declared: &mut Declarations,
    ) -> Answer {
        let request_id = command.request_id.clone();
        // A room of the shared store decides, and its append waits a
        // moment for a lost NATS connection to come back.
        if self.log.refuses_now() {
            return unavailable(command);
        }
        self.last_at = self.last_at.max(now_ms());
        let ctx = floor_core::Ctx {
            now_ms: self.last_at,
            new_id: Uuid::new_v4(),
        };
        let executed = self.room.execute_with(
            &command.actor,
            &command.request_id,
            &command.command,
            &ctx,
            serialize,
        );
        match executed {
            Ok((outcome, serialized)) => {
                if !outcome.duplicate {
                    raws.extend(serialized);
                    requests.push((command.actor.client.to_string(), request_id.clone()));
                    if let Some(gender) = outcome.declared {
                        declared.add(gender, 1);
                    }
                }
                Answer::Ack {
                    request_id,
                    receipt: outcome.receipt,
                    duplicate: outcome.duplicate,
                }
            }
            Err(error) => Answer::Error(ErrorMessage {
                request_id: Some(request_id),
                code: error.code(),
                message: error.to_string(),
                field: error.field().map(str::to_owned),
                entry_id: error.entry_id(),
            }),
        }
    }

    /// After the store recovers: applies and broadcasts whatever the log
    /// holds beyond this room's state (a commit reported as failed may
    /// have reached the disk after all).
    pub(super) async fn reload(&mut self) {
        if let Some(shared) = self.log.shared().cloned() {
            // Back in touch with NATS: whatever other brokers appended
            // meanwhile comes first.
            if let Err(error) = self.catch_up(&shared).await {
                log_read_error(
                    &self.id,
                    &error,
                    "cannot read the shared log after reconnecting",
                );
                self.caught_up = false;
            }
            return;
        }
        let stored = match self.log.read_after(self.id.clone(), self.room.seq()).await {
            Some(Ok(stored)) => stored,
            Some(Err(error)) => {
                tracing::error!(room = %self.id, %error, "could not reload the room after recovery");
                return;
            }
            None => return,
        };
        let mut raws = Vec::new();
        let rows = stored.iter().map(|(_, body)| body.as_str());
        let replayed = replay(&mut self.room, rows, |event, body| {
            raws.push((event.seq, Arc::from(served_text(body))));
        });
        if let Err(error) = replayed {
            tracing::error!(room = %self.id, %error, "stored event does not apply");
        }
        if !raws.is_empty() {
            tracing::warn!(room = %self.id, events = raws.len(), "events committed during the failure are now published");
        }
        self.publish(raws);
    }
}
