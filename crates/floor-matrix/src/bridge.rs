//! The bridge's loop: Matrix events and floor's room in, through
//! [`Hands`], to floor commands and Matrix messages out.
//!
//! One task syncs with the homeserver and hands each batch of the room's
//! events over, then waits until the batch has been acted on and saved
//! before it asks for the next. The loop acts on each event in order,
//! awaiting floor's answer to every command, saves the hands and the new
//! sync position together, and only then lets the sync go on. Between
//! batches it follows the floor room and keeps every thread up to date.

use std::time::Duration;

use floor_client::{Client as FloorClient, ConnectOptions, RequestError};
use floor_files::Lang;
use floor_protocol::{Command, ErrorCode, Role};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, sleep_until};

use crate::error::BridgeError;
use crate::hands::{Action, Hands, Raise, Refusal};
use crate::matrix::{Batch, Matrix, MatrixOptions};
use crate::said::{self, HAND_REACTION, Said};
use crate::seen::{self, Seen};
use crate::store::Store;

/// Everything the bridge needs.
#[derive(Debug, Clone)]
pub struct BridgeOptions {
    /// The Matrix side.
    pub matrix: MatrixOptions,
    /// The floor room, through the online moderator's link.
    pub floor: ConnectOptions,
    /// The state file.
    pub state: std::path::PathBuf,
    /// The language the bridge speaks in the room.
    pub lang: Lang,
}

/// The longest wait between two attempts to reach the homeserver.
const RETRY_MAX: Duration = Duration::from_secs(10);

/// Runs the bridge until `stop` resolves or an error that no retry can
/// mend (a refused login, an encrypted room, a revoked floor link).
pub async fn run(
    options: BridgeOptions,
    stop: impl Future<Output = ()>,
) -> Result<(), BridgeError> {
    let mut store = Store::open(&options.state)?;
    let floor = FloorClient::connect(
        options
            .floor
            .clone()
            .client_id(store.client_id()?)
            .agent("floor bridge matrix")
            .retry_initial_connect(true),
    )
    .await
    .map_err(|e| BridgeError::Floor(e.to_string()))?;
    if !matches!(floor.role(), Role::Moderator | Role::Chair) {
        return Err(BridgeError::Floor(format!(
            "the link is the {}'s: the bridge relays requests with the online moderator's link",
            floor.role().as_str()
        )));
    }
    let matrix = Matrix::connect(&options.matrix, &store).await?;
    let mut hands = store.hands()?;
    if store.since()?.is_none() {
        // A first start: the room's history is not for the bridge; every
        // event from here on is (the pinned message comes after this
        // position, so nobody can have answered it before).
        let start = matrix.sync(None).await?;
        store.save(Some(&start.next), &hands)?;
    }
    hands.set_lang(options.lang);
    let pinned = matrix.pinned(&store, options.lang).await?;
    tracing::info!(
        "bridging the Matrix room {} to the floor room {} as {}",
        matrix.room_id(),
        floor.room().id,
        matrix.bot()
    );
    let (batches_tx, mut batches) = mpsc::channel::<Batch>(1);
    let (resume_tx, resume_rx) = mpsc::channel::<String>(1);
    let syncing = tokio::spawn(sync_loop(
        matrix.clone(),
        store.since()?,
        batches_tx,
        resume_rx,
    ));
    let mut changes = floor.watch();
    let mut bridge = Bridge {
        floor,
        matrix,
        pinned,
        hands: &mut hands,
    };
    tokio::pin!(stop);
    let result = loop {
        let due = bridge
            .hands
            .next_due_ms(&bridge.floor.state())
            .map(|at| Instant::now() + Duration::from_millis(at.saturating_sub(now_ms())));
        tokio::select! {
            () = &mut stop => break Ok(()),
            batch = batches.recv() => {
                let Some(batch) = batch else {
                    break Err(BridgeError::Matrix("the sync stopped".into()));
                };
                if batch.left {
                    break Err(BridgeError::Matrix("the bot is no longer in the room".into()));
                }
                if let Err(e) = bridge.batch(&batch.events).await {
                    break Err(e);
                }
                store.save(Some(&batch.next), bridge.hands)?;
                if resume_tx.send(batch.next).await.is_err() {
                    break Err(BridgeError::Matrix("the sync stopped".into()));
                }
            }
            changed = changes.changed() => {
                if changed.is_err() {
                    break Err(BridgeError::Floor("the floor connection closed".into()));
                }
                bridge.follow().await?;
                store.save(None, bridge.hands)?;
            }
            () = sleep_until(due.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600))), if due.is_some() => {
                bridge.follow().await?;
                store.save(None, bridge.hands)?;
            }
        }
    };
    syncing.abort();
    store.save(None, &hands)?;
    result
}

/// Syncs one batch at a time: the next sync starts from the position the
/// loop sends back once it has saved the batch.
async fn sync_loop(
    matrix: Matrix,
    mut since: Option<String>,
    batches: mpsc::Sender<Batch>,
    mut resume: mpsc::Receiver<String>,
) {
    let mut wait = Duration::from_millis(250);
    loop {
        let batch = match matrix.sync(since.as_deref()).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!("sync with the homeserver failed, trying again: {e}");
                sleep(wait).await;
                wait = (wait * 2).min(RETRY_MAX);
                continue;
            }
        };
        wait = Duration::from_millis(250);
        if batches.send(batch).await.is_err() {
            return;
        }
        match resume.recv().await {
            Some(next) => since = Some(next),
            None => return,
        }
    }
}

/// Milliseconds since the Unix epoch, by this machine's clock.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The loop's working parts.
struct Bridge<'a> {
    floor: FloorClient,
    matrix: Matrix,
    pinned: String,
    hands: &'a mut Hands,
}

impl Bridge<'_> {
    /// Acts on a batch of the room's events, in order.
    async fn batch(&mut self, events: &[Value]) -> Result<(), BridgeError> {
        for event in events {
            let actions = self.event(seen::read(event)).await;
            self.carry_out(actions).await?;
        }
        self.follow().await
    }

    /// What one event asks for.
    async fn event(&mut self, seen: Seen) -> Vec<Action> {
        let state = self.floor.state();
        let now = now_ms();
        match seen {
            Seen::Message {
                event_id,
                sender,
                body,
                thread,
            } => {
                if sender == self.matrix.bot().as_str() {
                    return Vec::new();
                }
                let said = said::read(&body, self.hands.lang());
                if said == Said::Other {
                    return Vec::new();
                }
                let Some(name) = self.matrix.member(&sender).await else {
                    return Vec::new();
                };
                let thread = thread.unwrap_or_else(|| event_id.clone());
                match said {
                    Said::Hand {
                        question,
                        read_aloud,
                    } => self.hands.raise(
                        now,
                        Raise {
                            event_id,
                            user: sender,
                            name,
                            question,
                            read_aloud,
                            reaction: false,
                            thread,
                        },
                        &state,
                    ),
                    Said::Lower => self.hands.lower(now, &sender, &event_id, &thread, &state),
                    Said::Other => Vec::new(),
                }
            }
            Seen::Reaction {
                event_id,
                sender,
                target,
                key,
            } => {
                if sender == self.matrix.bot().as_str()
                    || target != self.pinned
                    || !key.starts_with(HAND_REACTION)
                {
                    return Vec::new();
                }
                let Some(name) = self.matrix.member(&sender).await else {
                    return Vec::new();
                };
                self.hands.raise(
                    now,
                    Raise {
                        event_id,
                        user: sender,
                        name,
                        question: None,
                        read_aloud: false,
                        reaction: true,
                        thread: self.pinned.clone(),
                    },
                    &state,
                )
            }
            Seen::Redaction {
                event_id, redacts, ..
            } => self.hands.unreact(&redacts, &event_id, &state),
            Seen::Encrypted => {
                tracing::error!("the room turned end-to-end encryption on");
                Vec::new()
            }
            Seen::Other => Vec::new(),
        }
    }

    /// Brings every thread up to date with the floor room.
    async fn follow(&mut self) -> Result<(), BridgeError> {
        let actions = self.hands.update(now_ms(), &self.floor.state());
        self.carry_out(actions).await
    }

    /// Carries out actions in order, and those their results cause.
    async fn carry_out(&mut self, actions: Vec<Action>) -> Result<(), BridgeError> {
        let mut queue: std::collections::VecDeque<Action> = actions.into();
        while let Some(action) = queue.pop_front() {
            match action {
                Action::Submit {
                    raised_by,
                    request_id,
                    draft,
                } => {
                    let answer = self
                        .command(request_id, Command::Submit { entry: draft })
                        .await?
                        .map(|ack| ack.entry_id.unwrap_or_default());
                    let state = self.floor.state();
                    let more = self.hands.submitted(now_ms(), &raised_by, answer, &state);
                    queue.extend(more);
                }
                Action::Withdraw { request_id, entry } => {
                    let answer = self
                        .command(request_id, Command::Withdraw { entry_id: entry })
                        .await?;
                    if let Err(refusal) = answer {
                        tracing::info!("lowering a hand: {refusal:?}");
                    }
                }
                Action::Post {
                    txn,
                    thread,
                    text,
                    mention,
                    status_of,
                } => {
                    let posted = self
                        .matrix_retry(|m| {
                            let (txn, thread, text, mention) =
                                (txn.clone(), thread.clone(), text.clone(), mention.clone());
                            async move { m.post(&txn, &thread, &text, mention.as_deref()).await }
                        })
                        .await;
                    if let (Some(raised_by), Some(event_id)) = (status_of, posted) {
                        self.hands.posted(&raised_by, &event_id);
                    }
                }
                Action::Edit { txn, target, text } => {
                    self.matrix_retry(|m| {
                        let (txn, target, text) = (txn.clone(), target.clone(), text.clone());
                        async move { m.edit(&txn, &target, &text).await }
                    })
                    .await;
                }
            }
        }
        Ok(())
    }

    /// Sends a floor command until it has a final answer: an
    /// acknowledgement, or a refusal no retry changes. The same request id
    /// every time, so that it takes effect once.
    async fn command(
        &self,
        request_id: String,
        command: Command,
    ) -> Result<Result<floor_client::Ack, Refusal>, BridgeError> {
        loop {
            match self
                .floor
                .command_with_id(request_id.clone(), command.clone())
                .await
            {
                Ok(ack) => return Ok(Ok(ack)),
                Err(RequestError::Refused(r)) if r.code == ErrorCode::DuplicatePerson => {
                    return Ok(Err(match r.entry_id {
                        Some(existing) => Refusal::Duplicate(existing),
                        None => Refusal::Other(r.message),
                    }));
                }
                Err(RequestError::Refused(r)) if r.code.retry_with_same_id() => {
                    sleep(Duration::from_millis(
                        floor_protocol::timing::RETRY_AFTER_MS,
                    ))
                    .await;
                }
                Err(RequestError::Refused(r)) => return Ok(Err(Refusal::Other(r.message))),
                Err(RequestError::TimedOut { .. }) => {}
                Err(RequestError::Closed(why)) => return Err(BridgeError::Floor(why)),
                Err(RequestError::Invalid(why)) => return Ok(Err(Refusal::Other(why))),
            }
        }
    }

    /// Tries a Matrix request until it succeeds, waiting longer each time
    /// (the homeserver may be restarting); gives up after a minute, as a
    /// message the homeserver keeps refusing must not stop the room.
    async fn matrix_retry<F, Fut, T>(&self, mut attempt: F) -> Option<T>
    where
        F: FnMut(Matrix) -> Fut,
        Fut: Future<Output = Result<T, BridgeError>>,
    {
        let mut wait = Duration::from_millis(250);
        let give_up = Instant::now() + Duration::from_secs(60);
        loop {
            match attempt(self.matrix.clone()).await {
                Ok(value) => return Some(value),
                Err(e) if Instant::now() < give_up => {
                    tracing::warn!("Matrix request failed, trying again: {e}");
                    sleep(wait).await;
                    wait = (wait * 2).min(RETRY_MAX);
                }
                Err(e) => {
                    tracing::error!("Matrix request dropped after a minute of failures: {e}");
                    return None;
                }
            }
        }
    }
}
