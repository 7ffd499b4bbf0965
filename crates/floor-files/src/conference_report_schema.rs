//! The JSON Schema of the event's participation report's JSON form
//! (`GET /api/conference/report?format=json`), generated from
//! [`ConferenceReport`] and the types inside it.
//!
//! `protocol/schema/conference-report.schema.json` is the checked-in
//! copy; the test `conference_report_schema_is_fresh` fails when it
//! differs from [`schema`]. Run the tests with `FLOOR_UPDATE_SCHEMA=1` to
//! rewrite it.

use schemars::{Schema, schema_for};

use crate::conference_report::ConferenceReport;

/// The schema's file name in `protocol/schema/`.
pub const FILE: &str = "conference-report.schema.json";

/// The schema of [`ConferenceReport`] as JSON.
pub fn schema() -> Schema {
    schema_for!(ConferenceReport)
}
