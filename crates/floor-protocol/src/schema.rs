//! The JSON Schema of the protocol, generated from the types.
//!
//! `protocol/schema/` holds the checked-in copies; the test
//! `schema_is_fresh` fails when they differ from [`files`]. Run the tests
//! with `FLOOR_UPDATE_SCHEMA=1` to rewrite them.

use schemars::{JsonSchema, Schema, schema_for};

use crate::event::RoomEvent;
use crate::message::{ClientMessage, ServerMessage};

/// One generated schema file: its name in `protocol/schema/` and content.
#[derive(Debug, Clone)]
pub struct SchemaFile {
    /// File name, e.g. `client-message.schema.json`.
    pub name: &'static str,
    /// The schema.
    pub schema: Schema,
}

/// Every schema file of the protocol.
pub fn files() -> Vec<SchemaFile> {
    vec![
        file::<ClientMessage>("client-message.schema.json"),
        file::<ServerMessage>("server-message.schema.json"),
        file::<RoomEvent>("room-event.schema.json"),
    ]
}

fn file<T: JsonSchema>(name: &'static str) -> SchemaFile {
    SchemaFile {
        name,
        schema: schema_for!(T),
    }
}

/// A schema as the pretty-printed JSON text checked into the repository,
/// with a trailing newline.
pub fn to_text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}
