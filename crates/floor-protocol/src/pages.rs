//! The protocol's constants as a JavaScript module for the web pages,
//! generated from this crate: the pages import
//! `crates/floor-broker/src/pages/protocol.js` instead of repeating a limit,
//! a status list, a close code or a timing, and a test fails when that file
//! is not what [`javascript`] writes (regenerate it with
//! `FLOOR_UPDATE_SCHEMA=1 cargo test -p floor-protocol --test schema`).

use serde_json::{Value, json};
use strum::IntoEnumIterator;

use crate::{EntryStatus, ErrorCode, Settings, Source, close, limits, timing};

/// Where the generated module lives, from the workspace's root.
pub const PATH: &str = "crates/floor-broker/src/pages/protocol.js";

/// The module's text.
pub fn javascript() -> String {
    let open: Vec<Value> = EntryStatus::iter()
        .filter(|s| s.is_open())
        .map(|s| json!(s))
        .collect();
    let retry: Vec<&str> = ErrorCode::iter()
        .filter(|c| c.retry_with_same_id())
        .map(ErrorCode::as_str)
        .collect();
    let constants = [
        (
            "LIMITS",
            "The length limits of free-text fields, in Unicode scalar values after trimming (section 11.2).",
            json!({
                "name": limits::NAME_MAX,
                "affiliation": limits::AFFILIATION_MAX,
                "text": limits::TEXT_MAX,
                "location": limits::LOCATION_MAX,
                "language": limits::LANGUAGE_MAX,
                "reason": limits::REASON_MAX,
            }),
        ),
        (
            "OPEN_STATUSES",
            "The statuses of an open request: a person's, counted by one_entry_per_person and the room's cap.",
            json!(open),
        ),
        (
            "RETRY_CODES",
            "Error codes after which a command is sent again, later, with the same request id.",
            json!(retry),
        ),
        (
            "FINAL_CLOSES",
            "Close codes after which a page does not reconnect with the same link.",
            json!(close::FINAL),
        ),
        (
            "RETRY_AFTER_MS",
            "How long a command refused with a retry code waits before it is sent again.",
            json!(timing::RETRY_AFTER_MS),
        ),
        (
            "RECONNECT_MIN_MS",
            "The first reconnection delay's ceiling; it doubles with each attempt (with jitter).",
            json!(timing::RECONNECT_MIN_MS),
        ),
        (
            "RECONNECT_MAX_MS",
            "The largest reconnection delay's ceiling.",
            json!(timing::RECONNECT_MAX_MS),
        ),
        (
            "SOURCES",
            "The services a relayed request can come from (provenance.source); each has a label in the pages' strings.",
            json!(Source::iter().map(Source::as_str).collect::<Vec<_>>()),
        ),
        (
            "SETTINGS_DEFAULTS",
            "A new room's settings; a view from an older broker may lack a field added since.",
            json!(Settings::default()),
        ),
        (
            "ORDER_SLOTS_MAX",
            "Most slots an order lists; those waiting past it stand after this many.",
            json!(limits::ORDER_SLOTS_MAX),
        ),
    ];
    let mut text = String::from(
        "// Generated from the floor-protocol crate (src/pages.rs): do not edit.\n\
         // Regenerate with FLOOR_UPDATE_SCHEMA=1 cargo test -p floor-protocol --test schema.\n",
    );
    for (name, doc, value) in constants {
        let value = if value.is_object() || value.is_array() {
            format!("Object.freeze({value})")
        } else {
            value.to_string()
        };
        text.push_str(&format!("\n/** {doc} */\nexport const {name} = {value};\n"));
    }
    text
}
