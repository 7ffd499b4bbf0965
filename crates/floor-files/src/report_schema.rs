//! The JSON Schema of the session report's JSON form (`format=json`),
//! generated from [`Report`] and the types inside it.
//!
//! `protocol/schema/report.schema.json` is the checked-in copy; the test
//! `report_schema_is_fresh` fails when it differs from [`schema`]. Run the
//! tests with `FLOOR_UPDATE_SCHEMA=1` to rewrite it.

use schemars::{Schema, schema_for};

use crate::report::Report;

/// The schema's file name in `protocol/schema/`.
pub const FILE: &str = "report.schema.json";

/// The schema of [`Report`] as JSON.
pub fn schema() -> Schema {
    schema_for!(Report)
}
