//! Length limits of every free-text field, counted in Unicode scalar values
//! (`char`s) after trimming surrounding whitespace, and the limits of a
//! frame on the wire (its size, its JSON's nesting).
//!
//! The core enforces the fields' limits, the broker the frames'; the JSON
//! Schema and the protocol's README state them.

/// A person's name: required, 1 to 80 characters.
pub const NAME_MAX: usize = 80;
/// A person's affiliation.
pub const AFFILIATION_MAX: usize = 120;
/// A client-supplied stable person id (long enough for a Matrix user id,
/// which has at most 255 bytes).
pub const PERSON_ID_MAX: usize = 255;
/// The text of a question or comment.
pub const TEXT_MAX: usize = 1000;
/// A seat or zone for the mic runner.
pub const LOCATION_MAX: usize = 40;
/// A BCP 47 language tag.
pub const LANGUAGE_MAX: usize = 35;
/// The reason given when rejecting an entry.
pub const REASON_MAX: usize = 200;
/// A client-chosen request id.
pub const REQUEST_ID_MAX: usize = 64;
/// A client-chosen client id.
pub const CLIENT_ID_MAX: usize = 64;
/// The largest accepted speaking-time limit, in seconds (one hour).
pub const SPEAKING_LIMIT_MAX_S: u32 = 3600;
/// The largest weight of a channel under the weighted policy.
pub const WEIGHT_MAX: u32 = 100;

/// Most phases in a run of show.
pub const PHASES_MAX: usize = 20;
/// Longest phase title, in characters.
pub const PHASE_TITLE_MAX: usize = 80;
/// Longest phase, in minutes.
pub const PHASE_MINUTES_MAX: u32 = 600;
/// Most presenters in one phase.
pub const PRESENTERS_MAX: usize = 20;
/// Longest presenter turn, in minutes.
pub const PRESENTER_MINUTES_MAX: u32 = 120;
/// Longest time zone name of a run of show (an IANA name), in characters.
pub const TIME_ZONE_MAX: usize = 64;
/// Longest intake window of an open floor, in seconds.
pub const INTAKE_WINDOW_MAX_S: u32 = 600;
/// The most open entries a room holds at once, unless its chair or the
/// broker's `--max-open-entries` says otherwise.
pub const OPEN_ENTRIES_DEFAULT: u32 = 500;
/// The largest cap on a room's open entries a chair may set.
pub const OPEN_ENTRIES_MAX: u32 = 10_000;
/// Largest remote audience count.
pub const REMOTE_AUDIENCE_MAX: u32 = 1_000_000;
/// Largest count of participant pages per channel in `record_attendance`.
pub const ATTENDANCE_MAX: u32 = 1_000_000;

/// Most slots an `order` (and a snapshot's `order`) lists: the head of the
/// projected order. When more entries wait, those past it stand at a
/// place after this many; a client learns their count from its view.
pub const ORDER_SLOTS_MAX: usize = 50;

/// Largest accepted WebSocket frame and message: 64 KiB.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// Deepest accepted JSON nesting.
pub const MAX_JSON_DEPTH: usize = 32;

/// Whether a JSON text nests deeper than `max` (arrays and objects),
/// looking only at brackets outside strings. Runs before parsing, so a
/// deeply nested frame never reaches the parser.
pub fn json_too_deep(text: &str, max: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert!(!json_too_deep(r#"{"a":[1,{"b":2}]}"#, 3));
        assert!(json_too_deep(r#"{"a":[1,{"b":2}]}"#, 2));
        assert!(!json_too_deep(r#"{"a":"[[[[[[\"[[["}"#, 1));
        assert!(json_too_deep(&"[".repeat(33), 32));
    }
}
