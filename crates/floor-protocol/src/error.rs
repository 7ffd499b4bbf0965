//! Every error code a client can receive in an `error` message.

use crate::vocab::vocabulary;

vocabulary! {
    /// A machine-readable error code. The human-readable `message` beside it
    /// may change between versions; the code does not.
    #[derive(strum::EnumIter)]
    pub enum ErrorCode {
        // Connection and message level.
        /// The frame is not valid JSON, or is nested deeper than 32 levels.
        BadJson,
        /// The JSON does not match any message of the protocol (unknown `type`,
        /// missing or unknown field, wrong type).
        InvalidMessage,
        /// A binary frame was sent; the protocol uses text frames only.
        BinaryFrame,
        /// The `hello` asks for a protocol version the broker does not speak.
        UnsupportedProtocol,
        /// A command was sent before `hello`.
        HelloRequired,
        /// A second `hello` was sent on the same connection.
        HelloRepeated,
        /// The token does not open this room.
        Unauthorized,
        /// No room has this id.
        RoomNotFound,
        /// Too many commands in a short time; retry later with the same request id.
        RateLimited,
        /// The frame exceeds the 64 KiB limit.
        MessageTooLarge,
        /// The broker cannot persist writes right now; nothing was recorded.
        /// Reads keep working. Retry later with the same request id.
        StorageUnavailable,
        /// An unexpected failure in the broker; nothing was recorded.
        Internal,
        /// The broker sent the command's events to a shared store and could
        /// not learn, in time, whether they were recorded (the store's
        /// acknowledgement was lost, e.g. while it elected a new leader). The
        /// command may or may not have taken effect: retry with the same
        /// request id to learn it (an `ack` with `duplicate: true` if it had).
        OutcomeUnknown,

        // Command level: the command was understood and refused.
        /// The role of this connection may not issue this command on this entry.
        Forbidden,
        /// A field's value is not acceptable (see `field`).
        InvalidField,
        /// No entry has this id in this room.
        EntryNotFound,
        /// The entry's status does not allow this command.
        InvalidTransition,
        /// The person already holds an open entry (see `entry_id`).
        DuplicatePerson,
        /// This participant already holds an open entry (see `entry_id`).
        ParticipantLimit,
        /// The queue is closed to new requests.
        QueueClosed,
        /// Nobody is waiting and nobody is speaking.
        NothingToCall,
        /// Nobody is speaking.
        NoCurrentSpeaker,
        /// A participant submitted on a channel other than the one declared in
        /// their `hello`.
        ChannelMismatch,
        /// The room holds as many open entries as its `max_open_entries`
        /// setting allows; a place frees when one is answered, withdrawn,
        /// rejected or merged.
        RoomFull,
        /// The command said which entry the issuer saw speaking
        /// (`expect_speaking`) and another one (or nobody) is speaking: two
        /// people acted at once, or the issuer's view is behind. Nothing
        /// changed; `entry_id` is the entry speaking now (absent for nobody).
        SpeakerChanged,
        /// A code this version of the protocol does not know. The broker never
        /// sends it; a client decodes any code it does not know as this one and
        /// treats it as a generic error.
        #[serde(other)]
        Unknown,
    }
}

impl ErrorCode {
    /// Whether a command refused with this code should be sent again,
    /// later, with the same request id: nothing was recorded
    /// (`rate_limited`, `storage_unavailable`), or the answer will tell
    /// whether it was (`outcome_unknown`).
    pub fn retry_with_same_id(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited | ErrorCode::StorageUnavailable | ErrorCode::OutcomeUnknown
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
