//! A small harness over `Room`: named actors, a fake clock and fresh ids,
//! so tests read as a session.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use floor_core::decide::Outcome;
use floor_core::{Actor, CommandError, Ctx, Room};
use floor_protocol::{
    Channel, ClientKey, Command, EntryDraft, Event, Person, Role, RoomEvent, SettingsPatch,
};
use uuid::Uuid;

pub mod sessions;

/// The people around a session.
pub fn actor(role: Role, name: &str, channel: Option<Channel>) -> Actor {
    Actor {
        role,
        client: ClientKey::new(name),
        channel,
    }
}

pub fn chair() -> Actor {
    actor(Role::Chair, "chair", None)
}
pub fn moderator() -> Actor {
    actor(Role::Moderator, "moderator", None)
}
pub fn runner() -> Actor {
    actor(Role::Runner, "runner", None)
}
pub fn display() -> Actor {
    actor(Role::Display, "display", None)
}
pub fn participant(name: &str, channel: Channel) -> Actor {
    actor(Role::Participant, name, Some(channel))
}

/// A draft for a named person on a channel.
pub fn draft(channel: Channel, name: &str) -> EntryDraft {
    EntryDraft {
        channel,
        kind: Default::default(),
        person: Person::named(name),
        text: None,
        location: None,
        language: None,
        delivery: None,
        gender: None,
        source: None,
    }
}

/// A room with a clock, an id source and the log of everything applied.
#[derive(Debug)]
pub struct Session {
    pub room: Room,
    pub log: Vec<RoomEvent>,
    /// The genders declared, as the broker counts them beside the log.
    pub declared: floor_core::declarations::Declarations,
    pub now_ms: u64,
    ids: u128,
    requests: u64,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    pub fn new() -> Self {
        Session {
            room: Room::new(),
            log: Vec::new(),
            declared: Default::default(),
            now_ms: 1_543_233_600_000,
            ids: 0,
            requests: 0,
        }
    }

    pub fn fresh_request_id(&mut self) -> String {
        self.requests += 1;
        format!("r{}", self.requests)
    }

    /// Runs a command with an explicit request id.
    pub fn run_as(
        &mut self,
        actor: &Actor,
        request_id: &str,
        command: Command,
    ) -> Result<Outcome, CommandError> {
        self.ids += 1;
        self.now_ms += 1_000;
        let ctx = Ctx {
            now_ms: self.now_ms,
            new_id: Uuid::from_u128(self.ids),
        };
        let outcome = self.room.execute(actor, request_id, &command, &ctx)?;
        self.log.extend(outcome.events.iter().cloned());
        if let Some(gender) = outcome.declared {
            self.declared.add(gender, 1);
        }
        Ok(outcome)
    }

    /// Runs a command on a copy of the room, leaving this session as it is.
    pub fn clone_run(&self, actor: Actor, command: Command) -> Result<Outcome, CommandError> {
        let mut room = self.room.clone();
        let ctx = Ctx {
            now_ms: self.now_ms + 1_000,
            new_id: Uuid::from_u128(u128::MAX / 2),
        };
        room.execute(&actor, "probe", &command, &ctx)
    }

    /// Runs a command with a fresh request id.
    pub fn run(&mut self, actor: &Actor, command: Command) -> Result<Outcome, CommandError> {
        let request_id = self.fresh_request_id();
        self.run_as(actor, &request_id, command)
    }

    /// Submits a request to speak and returns its id; panics if refused.
    pub fn add(&mut self, actor: &Actor, channel: Channel, name: &str) -> Uuid {
        let outcome = self
            .run(
                actor,
                Command::Submit {
                    entry: draft(channel, name),
                },
            )
            .unwrap_or_else(|e| panic!("submit {name}: {e}"));
        outcome.receipt.entry_id.expect("a submit creates an entry")
    }

    /// The runner adds a hand in the room.
    pub fn hand(&mut self, name: &str) -> Uuid {
        self.add(&runner(), Channel::Onsite, name)
    }

    /// The moderator adds a remote participant.
    pub fn remote(&mut self, name: &str) -> Uuid {
        self.add(&moderator(), Channel::Online, name)
    }

    /// The chair calls next; returns who was called.
    pub fn next(&mut self) -> Option<Uuid> {
        let outcome = self.run(&chair(), Command::next()).expect("next");
        outcome.events.iter().find_map(|e| match &e.event {
            Event::SpeakerCalled { entry_id, .. } => Some(*entry_id),
            _ => None,
        })
    }

    /// The chair calls next; returns the name called.
    pub fn next_name(&mut self) -> String {
        let id = self.next().expect("someone is called");
        self.name(id)
    }

    /// The name of an entry.
    pub fn name(&self, id: Uuid) -> String {
        self.room.entry(id).expect("entry").person.name.clone()
    }

    /// The names of the projected order.
    pub fn order(&self) -> Vec<String> {
        self.room
            .projected_order()
            .iter()
            .map(|s| self.name(s.entry_id))
            .collect()
    }

    /// Calls next until nobody waits; returns the names called.
    pub fn call_all(&mut self) -> Vec<String> {
        let mut called = Vec::new();
        while let Some(id) = self.next() {
            called.push(self.name(id));
        }
        called
    }

    pub fn settings(&mut self, patch: SettingsPatch) {
        self.run(&chair(), Command::UpdateSettings { patch })
            .expect("settings");
    }

    /// The online moderator merges the duplicate `entry_id` into `into`.
    pub fn merge(&mut self, entry_id: Uuid, into: Uuid) {
        self.run(&moderator(), Command::Merge { entry_id, into })
            .expect("merge");
    }
}
