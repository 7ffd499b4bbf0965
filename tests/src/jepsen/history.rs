//! The history of a run, as its clients saw it: every attempt of every
//! command with its answer, and for every client each event, snapshot and
//! `hello`, with times in milliseconds since the run's start.

use floor_protocol::RoomEvent;
use serde_json::Value;

/// The answer to one attempt of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `ack`.
    Ack {
        /// Its `first_seq`.
        first: u64,
        /// Its `last_seq`.
        last: u64,
        /// Its `duplicate`.
        duplicate: bool,
    },
    /// `error`, with its code.
    Error(String),
    /// None: the connection failed or the wait ran out.
    Unanswered,
}

impl Answer {
    /// The answer an `ack` or `error` message gives.
    pub fn of(message: &Value) -> Answer {
        if message["type"] == "ack" {
            Answer::Ack {
                first: message["first_seq"].as_u64().unwrap_or(0),
                last: message["last_seq"].as_u64().unwrap_or(0),
                duplicate: message["duplicate"].as_bool().unwrap_or(false),
            }
        } else {
            Answer::Error(message["code"].as_str().unwrap_or("").to_owned())
        }
    }

    /// Whether the command may have taken effect by this attempt, as far
    /// as its sender can tell.
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            Answer::Ack { .. } | Answer::Unanswered => true,
            Answer::Error(code) => code == "outcome_unknown",
        }
    }
}

/// One attempt of a command.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The broker it went to.
    pub broker: usize,
    /// When it was sent.
    pub sent_ms: u64,
    /// When it was answered.
    pub answered_ms: Option<u64>,
    /// Its answer.
    pub answer: Answer,
}

/// A command and its attempts, all with the same request id.
#[derive(Debug, Clone)]
pub struct CommandHistory {
    /// The sender's client key.
    pub client: String,
    /// The request id.
    pub request_id: String,
    /// Its attempts, in order.
    pub attempts: Vec<Attempt>,
}

/// The first answer to a `hello`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelloAnswer {
    /// `welcome`, with its head.
    Welcome {
        /// The room's latest seq, as the broker said.
        head: u64,
    },
    /// An `error` (and a close), with its code.
    Refused(String),
    /// The connection closed first.
    Closed,
    /// Nothing, for as long as the client waited.
    NoAnswer,
}

/// One `hello`.
#[derive(Debug, Clone)]
pub struct Hello {
    /// The broker it went to.
    pub broker: usize,
    /// When it was sent.
    pub sent_ms: u64,
    /// When its first answer came.
    pub answered_ms: Option<u64>,
    /// That answer.
    pub answer: HelloAnswer,
    /// The resume point's seq, if it resumed.
    pub resume: Option<u64>,
    /// The highest seq the client had seen before it.
    pub seen: u64,
}

/// One snapshot a client received.
#[derive(Debug, Clone)]
pub struct SnapshotSeen {
    /// When.
    pub at_ms: u64,
    /// From which broker.
    pub broker: usize,
    /// Its reason.
    pub reason: String,
    /// Its seq.
    pub seq: u64,
    /// The highest seq the client had seen before it.
    pub seen: u64,
    /// Whether it answered a `hello` (else a `sync`).
    pub in_hello: bool,
}

/// What one client saw.
#[derive(Debug, Clone, Default)]
pub struct ClientHistory {
    /// Its name in the run.
    pub name: String,
    /// Its client key.
    pub key: String,
    /// Every event it applied, in order (again after a snapshot that took
    /// it back).
    pub events: Vec<RoomEvent>,
    /// Every snapshot it received.
    pub snapshots: Vec<SnapshotSeen>,
    /// Every `hello` it sent.
    pub hellos: Vec<Hello>,
    /// Broken streams (gaps, undecodable messages).
    pub gaps: Vec<String>,
}

/// The history of a run.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Every command.
    pub commands: Vec<CommandHistory>,
    /// Every client.
    pub clients: Vec<ClientHistory>,
}
