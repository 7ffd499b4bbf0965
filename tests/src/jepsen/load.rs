//! The load of a run: the mic runner and the online moderator submitting
//! and withdrawing, participants submitting for themselves, a chair
//! calling `next` with `expect_speaking`, and readers (display screens),
//! spread over both brokers.

use std::sync::Arc;
use std::time::Duration;

use floor_protocol::{Channel, Command};
use rand::Rng;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::client::{Actor, Clock};
use super::history::History;
use crate::Tokens;
use crate::chaos::draft;

/// The running load.
pub struct Load {
    tasks: Vec<JoinHandle<Actor>>,
    stop: CancellationToken,
    drain: CancellationToken,
}

/// A writer: submits and withdraws (a participant holds one request at
/// most) until `stop`.
async fn writer(
    mut actor: Actor,
    name: String,
    channel: Channel,
    participant: bool,
    stop: CancellationToken,
) -> Actor {
    let mut mine: Vec<Uuid> = Vec::new();
    let mut n = 0u64;
    while !stop.is_cancelled() && !actor.drained() {
        n += 1;
        let request_id = format!("{name}-{n}");
        let withdraw = crate::chaos::wants_withdraw(participant, mine.len());
        let command = if withdraw {
            let at = rand::rng().random_range(0..mine.len());
            Some(Command::Withdraw {
                entry_id: mine.swap_remove(at),
            })
        } else if !participant || mine.is_empty() {
            Some(Command::Submit {
                entry: draft(channel, format!("{name} person {n}")),
            })
        } else {
            None
        };
        if let Some(command) = command {
            let command = serde_json::to_value(command).expect("a command encodes");
            if let Some(answer) = actor.execute(request_id, command).await {
                // A new entry, or the participant's open one in the way.
                let entry = answer["entry_id"].as_str().and_then(|id| id.parse().ok());
                if answer["type"] == "ack" || answer["code"] == "participant_limit" {
                    mine.extend(entry.filter(|id| !mine.contains(id)));
                }
            }
        }
        let pause = rand::rng().random_range(30..120);
        actor.idle_for(Duration::from_millis(pause)).await;
    }
    actor
}

/// The chair: calls `next`, expecting the speaker it sees, until `stop`.
async fn chair(mut actor: Actor, stop: CancellationToken) -> Actor {
    let mut n = 0u64;
    while !stop.is_cancelled() && !actor.drained() {
        n += 1;
        let speaking = actor
            .view()
            .and_then(|view| view.view().speaking.as_ref().map(|s| s.entry_id));
        let command = Command::Next {
            expect_speaking: Some(speaking),
        };
        let command = serde_json::to_value(command).expect("a command encodes");
        actor.execute(format!("chair-{n}"), command).await;
        let pause = rand::rng().random_range(150..400);
        actor.idle_for(Duration::from_millis(pause)).await;
    }
    actor
}

/// A reader: follows the room until `stop`.
async fn reader(mut actor: Actor, stop: CancellationToken) -> Actor {
    while !stop.is_cancelled() && !actor.drained() {
        actor.idle_for(Duration::from_millis(500)).await;
        actor.watch_silence().await;
    }
    actor
}

impl Load {
    /// Starts the load on the brokers at `urls`: `participants`
    /// participants besides the runner, the moderator and the chair, and
    /// `readers` screens.
    pub fn start(
        urls: Vec<String>,
        tokens: &Tokens,
        participants: usize,
        readers: usize,
        clock: Clock,
    ) -> Load {
        let urls = Arc::new(urls);
        let stop = CancellationToken::new();
        let drain = CancellationToken::new();
        let mut placed = 0usize;
        let mut actor = |name: &str, hello: serde_json::Value| {
            placed += 1;
            Actor::new(
                name,
                hello,
                urls.clone(),
                placed % urls.len(),
                clock,
                drain.clone(),
            )
        };
        let mut tasks = Vec::new();
        for (role, channel) in [("runner", Channel::Onsite), ("moderator", Channel::Online)] {
            let client = actor(role, tokens.hello(role, &format!("partitions-{role}")));
            tasks.push(tokio::spawn(writer(
                client,
                role.into(),
                channel,
                false,
                stop.clone(),
            )));
        }
        for i in 0..participants {
            let (channel, name) = if i % 2 == 0 {
                (Channel::Onsite, "onsite")
            } else {
                (Channel::Online, "online")
            };
            let id = format!("partitions-participant-{i}");
            let client = actor(&format!("p{i}"), tokens.participant(&id, name));
            tasks.push(tokio::spawn(writer(
                client,
                format!("p{i}"),
                channel,
                true,
                stop.clone(),
            )));
        }
        let client = actor("chair", tokens.hello("chair", "partitions-chair"));
        tasks.push(tokio::spawn(chair(client, stop.clone())));
        for i in 0..readers {
            let name = format!("reader-{i}");
            let client = actor(
                &name,
                tokens.hello("display", &format!("partitions-{name}")),
            );
            tasks.push(tokio::spawn(reader(client, stop.clone())));
        }
        Load { tasks, stop, drain }
    }

    /// Stops the load: no new command; a command under way goes on being
    /// retried for up to `grace`, then everything ends. Returns the
    /// history.
    pub async fn stop(self, grace: Duration) -> History {
        self.stop.cancel();
        let drain = self.drain.clone();
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            drain.cancel();
        });
        let mut history = History::default();
        for task in self.tasks {
            let actor = task.await.expect("a client task");
            let (client, commands) = actor.finish().await;
            history.clients.push(client);
            history.commands.extend(commands);
        }
        history
    }
}
