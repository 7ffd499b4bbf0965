//! The wire names the code uses (`Command::name`, `CommandKind`,
//! `Event::name`) are serde's tags: each example's `type` is the name of
//! what it decodes into, and every kind of command has an example.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use floor_protocol::{ClientMessage, CommandKind, ServerMessage};
use serde_json::Value;

fn examples(dir: &str) -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../protocol/examples")
        .join(dir);
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

#[test]
fn command_names_are_serde_tags_and_every_kind_has_one() {
    let mut named = BTreeSet::new();
    for value in examples("client") {
        let Ok(ClientMessage::Command { command, .. }) = serde_json::from_value(value.clone())
        else {
            continue;
        };
        assert_eq!(command.name(), value["command"]["type"]);
        assert_eq!(CommandKind::from(&command).as_str(), command.name());
        named.insert(command.name());
    }
    let kinds: BTreeSet<&str> = CommandKind::all().map(CommandKind::as_str).collect();
    assert_eq!(named, kinds);
}

#[test]
fn event_names_are_serde_tags() {
    let mut seen = 0;
    for value in examples("server") {
        let Ok(ServerMessage::Events { events, .. }) = serde_json::from_value(value.clone()) else {
            continue;
        };
        for (event, raw) in events.iter().zip(value["events"].as_array().unwrap()) {
            assert_eq!(event.event.name(), raw["event"]["type"]);
            seen += 1;
        }
    }
    assert!(seen >= 20, "{seen} events");
}

#[test]
fn error_code_names_are_serde_names() {
    use strum::IntoEnumIterator;
    for code in floor_protocol::ErrorCode::iter() {
        assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
    }
    for role in floor_protocol::Role::ALL {
        assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
    }
    for gender in floor_protocol::Gender::ALL {
        assert_eq!(serde_json::to_value(gender).unwrap(), gender.as_str());
    }
    for channel in floor_protocol::Channel::ALL {
        assert_eq!(serde_json::to_value(channel).unwrap(), channel.as_str());
    }
}
