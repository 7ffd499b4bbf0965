//! A room's side of the shared store: committing a batch with the room's
//! expected last sequence, catching up with other brokers' commits, and
//! knowing how fresh the room is.
//!
//! - **Commit.** A batch is appended only if the room's subject still ends
//!   where this room left it; otherwise the room reads what it missed and
//!   decides the batch again on the room that made. An append whose answer
//!   is lost is resolved before anyone is answered (see
//!   `shared/append.rs`); one whose outcome stays unknown is answered
//!   `outcome_unknown`, and `storage_unavailable` only when nothing was
//!   stored. A request that an append of this very batch stored is
//!   acknowledged with `duplicate: false` even when the room learns of it
//!   by reading the log.
//! - **Freshness.** A probe asks the stream's leader for the room's last
//!   commit every [`PROBE_EVERY`] while the room has subscribers; a room
//!   that finds itself behind reads the commits it missed at once (and
//!   follows the stream anew if its follower is stuck). The room knows
//!   when it last held everything the stream held ([`RoomActor::confirmed_at`]).
//! - **Hellos.** A `hello` is served only from a room confirmed within
//!   [`FRESH_FOR`], or confirmed again then (within [`CONFIRM_WAIT`]); a
//!   resume ahead of the room is first caught up with, and answered with a
//!   snapshot `ahead` only when the stream does not hold its seq. A room
//!   that cannot confirm refuses the hello: `storage_unavailable`, close
//!   1013, and the client tries another broker.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use floor_protocol::ErrorCode;
use tokio::sync::watch;

use super::commit::{Decided, unavailable};
use super::{
    Answer, CommandMsg, RoomActor, SHARED_COMMIT_BYTES, SHARED_ROUNDS, fold_commit, log_read_error,
};
use crate::shared::{self, Appended, Shared, SharedError, StoredCommit};

/// How often a room with subscribers asks the stream's leader whether it
/// holds the room's last commit.
pub const PROBE_EVERY: Duration = Duration::from_millis(250);
/// How long a confirmation may be old for a `hello` to be served without
/// asking the stream again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// How long a `hello` waits for the room to confirm that it holds the
/// stream's last commit (asking the leader and reading what it missed)
/// before it is refused with `storage_unavailable`.
pub const CONFIRM_WAIT: Duration = Duration::from_millis(750);

/// What a probe learned.
#[derive(Debug, Clone)]
pub(super) struct Probe {
    /// When it asked.
    asked: Instant,
    /// The stream sequence of the room's last commit, if the store said.
    last: Option<u64>,
}

/// Why a `hello` is not served: the room could not confirm it holds the
/// stream's last commit.
#[derive(Debug, thiserror::Error)]
pub enum Unconfirmed {
    /// The shared store failed.
    #[error(transparent)]
    Store(SharedError),
    /// The shared store did not answer within [`CONFIRM_WAIT`].
    #[error("the shared store did not answer in time")]
    Late,
}

/// Starts the probe of `room`: every [`PROBE_EVERY`] while the room has
/// subscribers (each holds a receiver of `broadcast_bytes`), until the
/// returned receiver is dropped.
pub(super) fn spawn_probe(
    shared: Arc<Shared>,
    room: String,
    broadcast_bytes: watch::Sender<u64>,
) -> watch::Receiver<Option<Probe>> {
    let (tx, rx) = watch::channel(None);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PROBE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = tx.closed() => return,
            }
            if broadcast_bytes.receiver_count() == 0 {
                continue;
            }
            let asked = Instant::now();
            let last = shared
                .last_on_subject_within(&room, CONFIRM_WAIT)
                .await
                .ok();
            if tx.send(Some(Probe { asked, last })).is_err() {
                return;
            }
        }
    });
    rx
}

/// The answer to a command whose commit may or may not be stored.
fn outcome_unknown(command: &CommandMsg) -> Answer {
    Answer::Error(floor_protocol::message::ErrorMessage {
        request_id: Some(command.request_id.clone()),
        code: ErrorCode::OutcomeUnknown,
        message: "the shared store did not say in time whether the command was recorded; retry \
                  with the same request id to learn it"
            .into(),
        field: None,
        entry_id: None,
    })
}

/// A command's request as the store's receipts name it.
fn request_key(command: &CommandMsg) -> (String, String) {
    (command.actor.client.to_string(), command.request_id.clone())
}

impl RoomActor {
    /// Commits a batch to the shared store: appended only if the room's
    /// subject is still where this room left it; otherwise the room reads
    /// the commits it missed (another broker's, or its own whose answer
    /// was lost) and decides the batch again, on the room they made.
    pub(super) async fn commit_shared(
        &mut self,
        shared: &Shared,
        commands: &[CommandMsg],
    ) -> Vec<Answer> {
        let mut checked = false;
        // A store that lost its leader is read again until it has one.
        let deadline = Instant::now() + shared::OUTCOME_DEADLINE;
        // The requests that an append of this batch may have stored: every
        // append but one that never reached a stream. Found in the log
        // later, they are acknowledged as first sends (a store that said
        // "not stored" across a leader change may have stored them all
        // the same); left unresolved, they are answered `outcome_unknown`.
        let mut ours: HashSet<(String, String)> = HashSet::new();
        for _ in 0..SHARED_ROUNDS {
            if !self.caught_up
                && let Err(error) = self.catch_up_until(shared, deadline).await
            {
                log_read_error(
                    &self.id,
                    &error,
                    "cannot read the shared log; the batch is refused",
                );
                return commands.iter().map(|c| void(c, &ours)).collect();
            }
            let decided = self.decide_batch(commands);
            // Events that would make too large a message: the batch is
            // cut in two, each half committed in turn (not once an
            // attempt may have stored some of it: that round's message is
            // sent as decided).
            let bytes: usize = decided.raws.iter().map(|(_, raw)| raw.len()).sum();
            if bytes > SHARED_COMMIT_BYTES && commands.len() > 1 && ours.is_empty() {
                self.go_back(decided.before);
                let (first, second) = commands.split_at(commands.len() / 2);
                let mut answers = Box::pin(self.commit_shared(shared, first)).await;
                answers.extend(Box::pin(self.commit_shared(shared, second)).await);
                return answers;
            }
            if decided.raws.is_empty() {
                // A refusal may rest on a state this broker has not caught
                // up with yet (an entry made through another broker a
                // moment ago): read the log once before refusing.
                let refused = decided
                    .answers
                    .iter()
                    .any(|answer| matches!(answer, Answer::Error(_)));
                if refused && !checked {
                    checked = true;
                    let before = self.stream_seq;
                    match self.catch_up(shared).await {
                        Ok(()) if self.stream_seq != before => continue,
                        Ok(()) => {}
                        Err(error) => {
                            log_read_error(&self.id, &error, "cannot read the shared log");
                            self.caught_up = false;
                        }
                    }
                }
                return not_repeats(decided.answers, commands, &ours);
            }
            let texts: Vec<&str> = decided.raws.iter().map(|(_, raw)| raw.as_ref()).collect();
            let message_id = shared::message_id(
                &self.id,
                decided
                    .requests
                    .iter()
                    .map(|(client, request)| (client.as_str(), request.as_str())),
            );
            let sent_at = Instant::now();
            let appended = shared
                .append(
                    &self.id,
                    &texts,
                    &decided.declared,
                    &message_id,
                    self.stream_seq,
                )
                .await;
            let mine = || decided.requests.iter().cloned();
            match appended {
                Ok(Appended::Stored(stream_seq)) => {
                    self.stream_seq = stream_seq;
                    // The subject ended at this room's last commit when the
                    // append was sent.
                    self.confirmed_at = Some(sent_at);
                    self.publish(decided.raws);
                    return not_repeats(decided.answers, commands, &ours);
                }
                Ok(Appended::Behind { maybe_stored }) => {
                    // Another broker appended first, or a lost attempt of
                    // this append did: catch up, decide again. Only an
                    // append that may have stored its commands makes
                    // their outcome unknown if the log cannot be read.
                    if maybe_stored {
                        ours.extend(mine());
                    }
                    self.go_back(decided.before);
                    self.caught_up = false;
                }
                Ok(Appended::Unknown(reason)) => {
                    tracing::warn!(room = %self.id, %reason, "a shared commit's outcome is unknown; its commands are answered outcome_unknown");
                    ours.extend(mine());
                    return self.roll_back(decided, commands, |c| void(c, &ours));
                }
                Err(error) => {
                    // Nothing of this round was stored (an earlier round's
                    // lost attempt may have been).
                    tracing::warn!(room = %self.id, %error, "shared commit failed; the batch is refused");
                    return self.roll_back(decided, commands, |c| void(c, &ours));
                }
            }
        }
        tracing::warn!(room = %self.id, "the room's shared log kept moving; the batch is refused");
        commands.iter().map(|c| void(c, &ours)).collect()
    }

    /// Goes back to the room before a batch whose commit did not end in a
    /// known store, and answers with `answer` every command from the first
    /// that changed the room on (those decided on the discarded state).
    fn roll_back(
        &mut self,
        decided: Decided,
        commands: &[CommandMsg],
        answer: impl Fn(&CommandMsg) -> Answer,
    ) -> Vec<Answer> {
        self.go_back(decided.before);
        self.caught_up = false;
        let mut answers = decided.answers;
        let void = answers
            .iter_mut()
            .zip(commands)
            .skip(decided.first_change.unwrap_or(0));
        for (slot, command) in void {
            *slot = answer(command);
        }
        answers
    }

    /// Reads from the shared log every commit after the room's last one and
    /// applies it; the room then holds everything the stream held when the
    /// read began.
    pub(super) async fn catch_up(&mut self, shared: &Shared) -> Result<(), SharedError> {
        let began = Instant::now();
        loop {
            let commits = shared.read_after(&self.id, self.stream_seq, 256).await?;
            if commits.is_empty() {
                self.caught_up = true;
                self.confirmed_at = Some(began);
                return Ok(());
            }
            for commit in commits {
                self.take_commit(commit)?;
            }
        }
    }

    /// [`RoomActor::catch_up`], tried again (every 0.1 s at most) while
    /// the store is reachable and `deadline` has not passed: a read that
    /// fails while NATS elects a stream leader succeeds once it has one.
    async fn catch_up_until(
        &mut self,
        shared: &Shared,
        deadline: Instant,
    ) -> Result<(), SharedError> {
        let mut pause = Duration::from_millis(25);
        loop {
            match self.catch_up(shared).await {
                Ok(()) => return Ok(()),
                Err(error @ SharedError::Unfit { .. }) => return Err(error),
                Err(error)
                    if Instant::now() + pause >= deadline || !shared.health().available() =>
                {
                    return Err(error);
                }
                Err(_) => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
            }
        }
    }

    /// Makes sure the room holds every commit the stream holds, within
    /// [`CONFIRM_WAIT`]: from the last confirmation if it is recent enough
    /// (and no client is ahead of the room), else by asking the stream's
    /// leader and reading what the room missed.
    pub(super) async fn confirm(
        &mut self,
        shared: &Shared,
        client_ahead: bool,
    ) -> Result<(), Unconfirmed> {
        let fresh = self.caught_up && self.confirmed_at.is_some_and(|at| at.elapsed() < FRESH_FOR);
        if fresh && !client_ahead {
            return Ok(());
        }
        let asked = Instant::now();
        let confirmed = tokio::time::timeout(CONFIRM_WAIT, async {
            let last = shared.last_on_subject(&self.id).await?;
            if last > self.stream_seq || !self.caught_up {
                self.catch_up(shared).await?;
            }
            Ok::<(), SharedError>(())
        })
        .await;
        match confirmed {
            Ok(Ok(())) => {
                self.confirmed_at = Some(asked);
                Ok(())
            }
            // A commit that does not fit the room: no broker can apply it,
            // so no client has seen past the room; it serves what it holds
            // (and refuses writes until the commit fits).
            Ok(Err(SharedError::Unfit { .. })) => {
                self.confirmed_at = Some(asked);
                Ok(())
            }
            Ok(Err(error)) => {
                log_read_error(&self.id, &error, "cannot confirm the room for a hello");
                Err(Unconfirmed::Store(error))
            }
            Err(_) => Err(Unconfirmed::Late),
        }
    }

    /// Takes what a probe learned: a room behind the stream reads what it
    /// missed at once; `true` when it was behind twice in a row (its
    /// follower is stuck and is made again).
    pub(super) async fn take_probe(&mut self, probe: Probe) -> bool {
        let Some(shared) = self.log.shared().cloned() else {
            return false;
        };
        let Some(last) = probe.last else {
            return false;
        };
        if last <= self.stream_seq {
            if self.caught_up {
                self.confirmed_at = Some(
                    self.confirmed_at
                        .map_or(probe.asked, |at| at.max(probe.asked)),
                );
            }
            self.behind_probes = 0;
            return false;
        }
        self.behind_probes += 1;
        tracing::debug!(room = %self.id, at = self.stream_seq, last, "the room is behind the stream; catching up");
        if let Err(error) = self.catch_up(&shared).await {
            log_read_error(&self.id, &error, "cannot read the shared log; trying again");
            self.caught_up = false;
        }
        self.behind_probes >= 2
    }

    /// A commit that the room's follower delivered: applied if it continues
    /// the room, skipped if the room has it, and a reason to catch up from
    /// the log otherwise.
    pub(super) async fn take_followed(&mut self, commit: StoredCommit) {
        if commit.stream_seq <= self.stream_seq {
            return;
        }
        let Some(shared) = self.log.shared().cloned() else {
            return;
        };
        if (!self.caught_up || self.take_commit(commit).is_err())
            && let Err(error) = self.catch_up(&shared).await
        {
            log_read_error(&self.id, &error, "cannot read the shared log; trying again");
            self.caught_up = false;
        }
    }

    /// Applies the events of a stored commit that the room does not hold
    /// yet and broadcasts them.
    pub(super) fn take_commit(&mut self, commit: StoredCommit) -> Result<(), SharedError> {
        let folded = fold_commit(&mut self.room, commit.events);
        self.last_at = self.last_at.max(folded.last_at);
        self.publish(folded.applied);
        match folded.failure {
            Some(error) => {
                let message = error.to_string();
                self.caught_up = false;
                if self.unfit.replace(commit.stream_seq) == Some(commit.stream_seq) {
                    tracing::debug!(room = %self.id, stream_seq = commit.stream_seq, %message, "the commit still does not fit the room");
                } else {
                    tracing::error!(room = %self.id, stream_seq = commit.stream_seq, %message, "a commit of the shared log does not fit the room; the room refuses writes until it does");
                }
                Err(SharedError::Unfit {
                    key: format!("room {} commit {}", self.id, commit.stream_seq),
                    message,
                })
            }
            None => {
                self.stream_seq = commit.stream_seq;
                Ok(())
            }
        }
    }
}

/// The answer to a command of a batch that did not commit: `outcome_unknown`
/// if an append of the batch may have stored it, `storage_unavailable`
/// (nothing was recorded) otherwise.
fn void(command: &CommandMsg, ours: &HashSet<(String, String)>) -> Answer {
    if ours.contains(&request_key(command)) {
        outcome_unknown(command)
    } else {
        unavailable(command)
    }
}

/// The answers of a batch, with `duplicate: false` for the requests an
/// append of this batch stored (the room met them in the log only because
/// the append's answer was lost): a first send is never a repeat.
fn not_repeats(
    mut answers: Vec<Answer>,
    commands: &[CommandMsg],
    ours: &HashSet<(String, String)>,
) -> Vec<Answer> {
    if ours.is_empty() {
        return answers;
    }
    for (answer, command) in answers.iter_mut().zip(commands) {
        if let Answer::Ack { duplicate, .. } = answer
            && *duplicate
            && ours.contains(&request_key(command))
        {
            *duplicate = false;
        }
    }
    answers
}
