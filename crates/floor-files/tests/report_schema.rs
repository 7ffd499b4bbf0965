//! The checked-in JSON Schema of the session report must equal the one
//! generated from its types. Run with `FLOOR_UPDATE_SCHEMA=1` to rewrite
//! `protocol/schema/report.schema.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use floor_files::report_schema;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../protocol/schema")
        .join(report_schema::FILE)
}

#[test]
fn report_schema_is_fresh() {
    let generated = floor_protocol::schema::to_text(&report_schema::schema());
    let checked_in = std::fs::read_to_string(schema_path()).unwrap_or_default();
    if checked_in == generated {
        return;
    }
    if std::env::var_os("FLOOR_UPDATE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &generated).unwrap();
        return;
    }
    panic!(
        "protocol/schema/{} is stale; run `FLOOR_UPDATE_SCHEMA=1 cargo test -p floor-files --test report_schema` and commit the result",
        report_schema::FILE
    );
}

/// The recorded session's report (every section filled: overrides,
/// waits, genders hidden and shown) fits the checked-in schema.
#[test]
fn the_recorded_session_s_report_fits_its_schema() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/ws235-session.jsonl"
    );
    let events: Vec<floor_protocol::RoomEvent> = std::fs::read_to_string(fixture)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let report = floor_files::report::Report::from_events("WS #235", &events).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let instance = serde_json::to_value(&report).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
