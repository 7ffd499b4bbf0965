//! Where each request to speak was entered, as the report counts it:
//! in the room, by the online moderator, from a participant page, or
//! relayed from a Matrix room. Read from the entry's provenance alone.

use floor_protocol::{Entry, Role, Source};
use schemars::JsonSchema;
use serde::Serialize;

use crate::report_lang::Texts;

/// Where one request was entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// In the room: entered by the mic runner or the chair.
    Room,
    /// Entered by the online moderator, not relayed from another service.
    Moderator,
    /// Sent by the person from the participant page.
    Participant,
    /// Relayed from a Matrix room by `floor bridge matrix`.
    Matrix,
}

impl Origin {
    /// Every origin, in the order the report lists them.
    pub const ALL: [Origin; 4] = [
        Origin::Room,
        Origin::Moderator,
        Origin::Participant,
        Origin::Matrix,
    ];

    /// Where `entry` was entered: its source when it was relayed (the
    /// bridge submits as the online moderator, so the source comes
    /// first), else the role that submitted it. `None` for a role that
    /// never submits (a display).
    pub fn of(entry: &Entry) -> Option<Origin> {
        if let Some(source) = entry.provenance.source {
            return Some(match source {
                Source::Matrix => Origin::Matrix,
            });
        }
        match entry.provenance.role {
            Role::Runner | Role::Chair => Some(Origin::Room),
            Role::Moderator => Some(Origin::Moderator),
            Role::Participant => Some(Origin::Participant),
            Role::Display => None,
        }
    }

    /// Its key in the JSON and CSV forms: `room`, `moderator`,
    /// `participant`, `matrix`.
    pub fn key(self) -> &'static str {
        match self {
            Origin::Room => "room",
            Origin::Moderator => "moderator",
            Origin::Participant => "participant",
            Origin::Matrix => "matrix",
        }
    }
}

/// Requests to speak by where they were entered, both channels together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Origins {
    /// Entered in the room, by the mic runner or the chair.
    pub room: u64,
    /// Entered by the online moderator, not relayed from another service.
    pub moderator: u64,
    /// Sent by people from the participant page.
    pub participant: u64,
    /// Relayed from a Matrix room by the bridge (`source` `matrix`).
    pub matrix: u64,
}

impl Origins {
    /// Counts `entry` once under its [`Origin`] (a display's, which
    /// cannot be, nowhere).
    pub fn count(&mut self, entry: &Entry) {
        if let Some(origin) = Origin::of(entry) {
            *self.slot(origin) += 1;
        }
    }

    /// The count of `origin`.
    pub fn get(&self, origin: Origin) -> u64 {
        match origin {
            Origin::Room => self.room,
            Origin::Moderator => self.moderator,
            Origin::Participant => self.participant,
            Origin::Matrix => self.matrix,
        }
    }

    fn slot(&mut self, origin: Origin) -> &mut u64 {
        match origin {
            Origin::Room => &mut self.room,
            Origin::Moderator => &mut self.moderator,
            Origin::Participant => &mut self.participant,
            Origin::Matrix => &mut self.matrix,
        }
    }

    /// The counts in one sentence, in `t`'s language.
    pub fn sentence(&self, t: &Texts) -> String {
        t.text(
            "requests-by-origin",
            &Origin::ALL.map(|o| (o.key(), self.get(o).into())),
        )
    }
}
