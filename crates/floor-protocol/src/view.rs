//! A room's state as clients see it, and its projected order.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entry::Entry;
use crate::event::Credits;
use crate::programme::{Attendance, Programme, Stage};
use crate::settings::Settings;
use crate::vocab::Channel;

/// Why an entry stands where it does in the projected order (or why it was
/// called).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderReason {
    /// The chair pinned it.
    Pinned,
    /// It is its channel's turn in the rotation.
    ChannelTurn,
    /// Its channel is the only one with requests waiting.
    OnlyChannelWaiting,
    /// It passes an earlier request of someone who has already spoken,
    /// because this person has not.
    FirstTimeSpeaker,
    /// It is the earliest request of its class.
    ArrivalOrder,
}

/// One position of the projected order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectedSlot {
    /// The entry that would be called at this position.
    pub entry_id: Uuid,
    /// Its channel.
    pub channel: Channel,
    /// Why it stands here, most significant first.
    pub reasons: Vec<OrderReason>,
}

/// The floor as it stands: who speaks and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Speaking {
    /// The entry speaking.
    pub entry_id: Uuid,
    /// Broker time the turn began, in milliseconds since the Unix epoch.
    pub since_ms: u64,
    /// Broker time the turn's limit runs out.
    pub deadline_ms: u64,
}

/// Turns given so far, per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    /// Onsite turns.
    pub onsite: u64,
    /// Online turns.
    pub online: u64,
}

impl Tally {
    /// The count of `channel`.
    pub fn get(&self, channel: Channel) -> u64 {
        match channel {
            Channel::Onsite => self.onsite,
            Channel::Online => self.online,
        }
    }

    /// Adds one turn to `channel`.
    pub fn add(&mut self, channel: Channel) {
        match channel {
            Channel::Onsite => self.onsite += 1,
            Channel::Online => self.online += 1,
        }
    }

    /// Takes back one turn of `channel` (an undone call); never below 0.
    pub fn take_back(&mut self, channel: Channel) {
        match channel {
            Channel::Onsite => self.onsite = self.onsite.saturating_sub(1),
            Channel::Online => self.online = self.online.saturating_sub(1),
        }
    }
}

/// The round-robin state of the fairness policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Rotation {
    /// Each channel's current credit.
    pub credits: Credits,
    /// The channel the rotation chose last, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Channel>,
}

/// A room's state at one sequence number, as sent in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomView {
    /// The sequence number of the last event folded into this view.
    pub seq: u64,
    /// The settings in force.
    pub settings: Settings,
    /// Whether new requests are accepted.
    pub queue_open: bool,
    /// Every entry of the room, in submission order.
    pub entries: Vec<Entry>,
    /// The current speaker, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaking: Option<Speaking>,
    /// Pinned entries, in the order they were pinned.
    pub pins: Vec<Uuid>,
    /// The round-robin state.
    pub rotation: Rotation,
    /// Turns given so far, per channel.
    pub turns: Tally,
    /// The run of show, once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<Programme>,
    /// Where the session stands in it, once a phase has started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// The remote audience, as last counted by the online moderator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_audience: Option<u32>,
    /// The most participant pages connected at once so far, per channel
    /// (each channel's own peak), once the broker has recorded any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance_peak: Option<Attendance>,
}
