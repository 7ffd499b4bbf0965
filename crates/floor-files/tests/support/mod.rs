//! The core's test harness (a room with a clock, fresh ids and its log,
//! named actors), shared rather than copied, and what the report's tests
//! add to it.

#![allow(dead_code, unreachable_pub)]

#[path = "../../../floor-core/tests/support/mod.rs"]
mod core;

pub use core::*;

/// Each request of a report, by name, with what became of it.
pub fn outcomes(report: &floor_files::report::Report) -> Vec<(&str, floor_files::report::Outcome)> {
    report
        .questions
        .iter()
        .map(|q| (q.name.as_str(), q.outcome))
        .collect()
}

/// Text without the isolation marks Fluent puts around each placeable
/// (U+2068 FIRST STRONG ISOLATE, U+2069 POP DIRECTIONAL ISOLATE), to read
/// a Markdown report's sentences as one reads them on screen.
pub fn plain(text: &str) -> String {
    text.replace(['\u{2068}', '\u{2069}'], "")
}
