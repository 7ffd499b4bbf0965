//! Every file in `protocol/examples/` is valid against the checked-in
//! schema, decodes into the protocol's types and survives a round trip; and
//! every message, command and event type has at least one example.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use floor_protocol::{ClientMessage, ServerMessage};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn protocol_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../protocol")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn examples(dir: &str) -> Vec<(PathBuf, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(protocol_dir().join("examples").join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no examples in protocol/examples/{dir}");
    files
        .into_iter()
        .map(|p| {
            let v = read_json(&p);
            (p, v)
        })
        .collect()
}

/// Validates, decodes and round-trips every example of one direction.
fn check<T: DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug>(
    dir: &str,
    schema_file: &str,
) -> Vec<Value> {
    let schema = read_json(&protocol_dir().join("schema").join(schema_file));
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let mut values = Vec::new();
    for (path, value) in examples(dir) {
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{} does not match {schema_file}: {errors:#?}",
            path.display()
        );
        let decoded: T = serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
        let encoded = serde_json::to_value(&decoded).unwrap();
        assert!(
            validator.is_valid(&encoded),
            "{} re-encoded is off-schema",
            path.display()
        );
        let again: T = serde_json::from_value(encoded).unwrap();
        assert_eq!(decoded, again, "{} does not round-trip", path.display());
        values.push(value);
    }
    values
}

fn tags<'a>(values: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
    values
        .into_iter()
        .filter_map(|v| v.get("type").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn schema_tags(schema_file: &str, def: Option<&str>) -> BTreeSet<String> {
    let schema = read_json(&protocol_dir().join("schema").join(schema_file));
    let node = match def {
        Some(def) => &schema["$defs"][def],
        None => &schema,
    };
    node["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| {
            let t = &v["properties"]["type"];
            t.get("const")
                .or_else(|| t.get("enum").and_then(|e| e.get(0)))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

#[test]
fn client_examples_are_valid_and_cover_every_message_and_command() {
    let values = check::<ClientMessage>("client", "client-message.schema.json");
    assert_eq!(
        tags(&values),
        schema_tags("client-message.schema.json", None)
    );
    let commands = tags(values.iter().filter_map(|v| v.get("command")));
    assert_eq!(
        commands,
        schema_tags("client-message.schema.json", Some("Command"))
    );
}

#[test]
fn server_examples_are_valid_and_cover_every_message_and_event() {
    let values = check::<ServerMessage>("server", "server-message.schema.json");
    assert_eq!(
        tags(&values),
        schema_tags("server-message.schema.json", None)
    );
    let events = tags(
        values
            .iter()
            .filter_map(|v| v.get("events").and_then(Value::as_array))
            .flatten()
            .filter_map(|e| e.get("event")),
    );
    assert_eq!(
        events,
        schema_tags("server-message.schema.json", Some("Event"))
    );
}

#[test]
fn invalid_messages_are_refused_by_types_and_schema() {
    let schema = read_json(&protocol_dir().join("schema/client-message.schema.json"));
    let validator = jsonschema::validator_for(&schema).unwrap();
    for bad in [
        r#"{"type":"command","request_id":"r1","command":{"type":"launch"}}"#,
        r#"{"type":"command","request_id":"r1","command":{"type":"next","extra":1}}"#,
        r#"{"type":"hello","protocol":1,"room":"ws235","token":"t","client_id":"c","colour":"red"}"#,
        r#"{"type":"command","request_id":"r1","command":{"type":"submit","entry":{"channel":"mars","person":{"name":"A"}}}}"#,
        r#"{"type":"command","command":{"type":"next"}}"#,
    ] {
        let value: Value = serde_json::from_str(bad).unwrap();
        assert!(
            serde_json::from_value::<ClientMessage>(value.clone()).is_err(),
            "types accept {bad}"
        );
        assert!(!validator.is_valid(&value), "schema accepts {bad}");
    }
}
