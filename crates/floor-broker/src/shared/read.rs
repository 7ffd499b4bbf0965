//! Reading a room's commits: one by one from the stream's leader
//! (catching up, and the probe's question), all at once through an ordered
//! consumer (loading a room), and following them as they are appended.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{consumer, stream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::{
    FOLLOW_CHECK, FOLLOW_QUEUE, READ_WAIT, REQUEST_TIMEOUT, Shared, SharedError, StoredCommit,
    js_error, subject,
};

impl Shared {
    /// The commits of `room` after stream sequence `after`, read from the
    /// stream's leader (so nothing acknowledged is missed), at most `limit`.
    pub async fn read_after(
        &self,
        room: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredCommit>, SharedError> {
        let subject = subject(room);
        let mut commits = Vec::new();
        let mut from = after + 1;
        while commits.len() < limit {
            let read = self
                .stream
                .raw_message_builder()
                .sequence(from)
                .next_by_subject(subject.clone())
                .send();
            let Ok(read) = tokio::time::timeout(READ_WAIT, read).await else {
                self.silence.unheard();
                return Err(SharedError::JetStream(
                    "the stream's leader did not answer a read in time".into(),
                ));
            };
            match read {
                Ok(message) => {
                    from = message.sequence + 1;
                    commits.push(StoredCommit::parse(
                        message.sequence,
                        Some(&message.headers),
                        &message.payload,
                    )?);
                }
                Err(error) if error.kind() == stream::LastRawMessageErrorKind::NoMessageFound => {
                    break;
                }
                Err(error) => {
                    self.silence.unheard();
                    return Err(js_error(error));
                }
            }
        }
        self.silence.heard();
        Ok(commits)
    }

    /// The stream sequence of `room`'s last commit (0: none), from the
    /// stream's leader.
    pub async fn last_on_subject(&self, room: &str) -> Result<u64, SharedError> {
        match self
            .stream
            .get_last_raw_message_by_subject(&subject(room))
            .await
        {
            Ok(message) => {
                self.silence.heard();
                Ok(message.sequence)
            }
            Err(error) if error.kind() == stream::LastRawMessageErrorKind::NoMessageFound => {
                self.silence.heard();
                Ok(0)
            }
            Err(error) => {
                self.silence.unheard();
                Err(js_error(error))
            }
        }
    }

    /// [`Shared::last_on_subject`], waiting at most `wait` (silence counts
    /// as no answer from JetStream).
    pub async fn last_on_subject_within(
        &self,
        room: &str,
        wait: Duration,
    ) -> Result<u64, SharedError> {
        match tokio::time::timeout(wait, self.last_on_subject(room)).await {
            Ok(answer) => answer,
            Err(_) => {
                self.silence.unheard();
                Err(SharedError::JetStream(
                    "the stream's leader did not answer in time".into(),
                ))
            }
        }
    }

    /// Every commit of `room` after stream sequence `after`, through an
    /// ordered consumer (one request for many messages: how a room is
    /// loaded).
    pub async fn read_all_after(
        &self,
        room: &str,
        after: u64,
    ) -> Result<Vec<StoredCommit>, SharedError> {
        let last = self.last_on_subject(room).await?;
        if last <= after {
            return Ok(Vec::new());
        }
        let mut messages = self.ordered(room, after).await?;
        let mut commits = Vec::new();
        loop {
            let next = tokio::time::timeout(REQUEST_TIMEOUT, messages.next())
                .await
                .map_err(|_| SharedError::JetStream("reading a room timed out".into()))?;
            let Some(message) = next else { break };
            let message = message.map_err(js_error)?;
            let seq = message.info().map_err(js_error)?.stream_sequence;
            commits.push(StoredCommit::parse(
                seq,
                message.headers.as_ref(),
                &message.payload,
            )?);
            if seq >= last {
                break;
            }
        }
        Ok(commits)
    }

    /// An ordered consumer of `room`'s commits after stream sequence
    /// `after`.
    async fn ordered(
        &self,
        room: &str,
        after: u64,
    ) -> Result<consumer::pull::Ordered, SharedError> {
        let consumer = self
            .stream
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: subject(room),
                deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: after + 1,
                },
                ..Default::default()
            })
            .await
            .map_err(js_error)?;
        consumer.messages().await.map_err(js_error)
    }

    /// Follows `room` from after stream sequence `after`: every commit
    /// appended from then on, by any broker, in stream order, until the
    /// receiver is dropped. A broken consumer is made again from the last
    /// commit delivered.
    pub fn follow(self: &Arc<Self>, room: &str, after: u64) -> mpsc::Receiver<StoredCommit> {
        let (tx, rx) = mpsc::channel(FOLLOW_QUEUE);
        let shared = self.clone();
        let room = room.to_owned();
        tokio::spawn(async move {
            let mut last = after;
            loop {
                match shared.follow_from(&room, last, &tx).await {
                    Ok(()) => return,
                    Err((delivered, error)) => {
                        last = delivered;
                        tracing::warn!(%room, %error, "following the room's stream failed; following again");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        if tx.is_closed() {
                            return;
                        }
                    }
                }
            }
        });
        rx
    }

    async fn follow_from(
        &self,
        room: &str,
        after: u64,
        tx: &mpsc::Sender<StoredCommit>,
    ) -> Result<(), (u64, SharedError)> {
        let mut last = after;
        let mut messages = self.ordered(room, after).await.map_err(|e| (last, e))?;
        loop {
            let message = tokio::select! {
                message = tokio::time::timeout(FOLLOW_CHECK, messages.next()) => message,
                () = tx.closed() => return Ok(()),
            };
            let Ok(message) = message else {
                // Silent: fine if the room is quiet; if the subject holds
                // a later commit, the consumer is lost.
                match self.last_on_subject(room).await {
                    Ok(on_subject) if on_subject > last => {
                        return Err((
                            last,
                            SharedError::JetStream(format!(
                                "the follower stopped at {last} while the room is at {on_subject}"
                            )),
                        ));
                    }
                    _ => continue,
                }
            };
            let Some(message) = message else {
                return Err((last, SharedError::JetStream("the consumer ended".into())));
            };
            let message = message.map_err(|e| (last, js_error(e)))?;
            let seq = message
                .info()
                .map_err(|e| (last, js_error(e)))?
                .stream_sequence;
            let commit = StoredCommit::parse(seq, message.headers.as_ref(), &message.payload)
                .map_err(|e| (last, e))?;
            last = seq;
            if tx.send(commit).await.is_err() {
                return Ok(());
            }
        }
    }
}
