//! A room's settings, and the fairness policy that orders its queue.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::limits::{OPEN_ENTRIES_DEFAULT, OPEN_ENTRIES_MAX};
use crate::vocab::Channel;

/// How `next` chooses between the channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Policy {
    /// Smooth weighted round robin with equal weights: the channels take
    /// turns while both have requests waiting.
    Alternate {},
    /// Smooth weighted round robin with the given integer weights (1 to 100).
    Weighted {
        /// Weight of the onsite channel.
        #[schemars(range(min = 1, max = 100))]
        onsite: u32,
        /// Weight of the online channel.
        #[schemars(range(min = 1, max = 100))]
        online: u32,
    },
    /// Pure submission order across channels (kept as a contrast).
    Fifo {},
}

impl Default for Policy {
    fn default() -> Self {
        Policy::Alternate {}
    }
}

impl Policy {
    /// The weight of `channel` under a round-robin policy; `None` for `fifo`.
    pub fn weight(self, channel: Channel) -> Option<u32> {
        match self {
            Policy::Alternate {} => Some(1),
            Policy::Weighted { onsite, online } => Some(match channel {
                Channel::Onsite => onsite,
                Channel::Online => online,
            }),
            Policy::Fifo {} => None,
        }
    }
}

/// A room's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The fairness policy.
    pub policy: Policy,
    /// Within a channel, people who have not spoken yet in this room come
    /// before those who have.
    pub first_time_first: bool,
    /// Participants' own submissions wait for approval (`pending`).
    pub moderated: bool,
    /// The speaking-time limit of one turn, in seconds (1 to 3600).
    #[schemars(range(min = 1, max = 3600))]
    pub speaking_limit_s: u32,
    /// A person may hold only one open entry (pending, waiting or speaking)
    /// at a time.
    pub one_entry_per_person: bool,
    /// When an `open_floor` phase starts, for how many seconds requests
    /// are only collected and no one is called by `next` (0 to 600; 0
    /// disables), so that hands online, which take longer, count as
    /// arriving with those in the room.
    #[serde(default = "default_intake_window_s")]
    #[schemars(range(max = 600))]
    pub intake_window_s: u32,
    /// The channel the rotation starts with when an `open_floor` phase
    /// starts. Online by default: remote hands are the slower ones.
    #[serde(default = "default_opens_with")]
    pub opens_with: Channel,
    /// The most open entries (pending, waiting or speaking) the room holds
    /// at once (1 to 10,000); a `submit` past it is refused `room_full`.
    /// A room's log without it (older rooms) reads as the default, 500.
    #[serde(default = "default_max_open_entries")]
    #[schemars(range(min = 1, max = OPEN_ENTRIES_MAX))]
    pub max_open_entries: u32,
}

fn default_intake_window_s() -> u32 {
    30
}

fn default_opens_with() -> Channel {
    Channel::Online
}

fn default_max_open_entries() -> u32 {
    OPEN_ENTRIES_DEFAULT
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            policy: Policy::Alternate {},
            first_time_first: true,
            moderated: false,
            speaking_limit_s: 120,
            one_entry_per_person: true,
            intake_window_s: default_intake_window_s(),
            opens_with: default_opens_with(),
            max_open_entries: default_max_open_entries(),
        }
    }
}

/// Changes to a room's settings; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// New policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// New first-time-first rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_time_first: Option<bool>,
    /// New moderation rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderated: Option<bool>,
    /// New speaking-time limit, in seconds (1 to 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3600))]
    pub speaking_limit_s: Option<u32>,
    /// New one-entry-per-person rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_entry_per_person: Option<bool>,
    /// New intake window, in seconds (0 to 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 600))]
    pub intake_window_s: Option<u32>,
    /// New first channel of an open floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_with: Option<Channel>,
    /// New cap on open entries (1 to 10,000, and no fewer than the room
    /// holds open now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = OPEN_ENTRIES_MAX))]
    pub max_open_entries: Option<u32>,
}
