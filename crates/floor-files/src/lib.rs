//! What floor reads and writes for people, apart from the core's rules:
//! the session report, the TOML room file, pasted chat transcripts, a
//! conference's programme.
//!
//! Each is a feature, all on by default, so that a client takes only what
//! it uses: the Rust client takes `chat` alone, and builds neither
//! plotters (the report's charts) nor toml.
//!
//! # Layout
//! - [`report`] (feature `report`): the session report, from the event
//!   log and the declared genders' totals (in `report_markdown`, its
//!   Markdown form; in `report_csv`, its CSV form, cells made safe for
//!   spreadsheets; in `report_html`, its HTML form with SVG charts drawn
//!   by plotters; in [`suppress`], the small-count suppression of its
//!   gender figures, published in `report_genders`; in
//!   `report_origin`, where each request was entered; in
//!   `report_questions`, each request and what became of it; in
//!   [`report_lang`] (feature `texts`), the six languages of its human
//!   forms and of the Matrix bridge's messages, Fluent files under
//!   `locales/`; in
//!   [`report_time`], its dates and times in the session's time zone; in
//!   `report_words`, what its human forms share (labelled breakdowns,
//!   when the session ran); in [`report_schema`], the JSON Schema of its
//!   JSON form).
//! - [`sheet`] (feature `report`): a conference's printable staff sheet,
//!   one A4 page per location and day, the staff's links as QR codes.
//! - [`conference_report`] (feature `report`): the event's
//!   participation report, one row per session with the online share of
//!   turns by day, type and location (in `conference_report_markdown`,
//!   `conference_report_csv` and `conference_report_html`, its forms; in
//!   [`conference_report_schema`], the JSON Schema of its JSON form).
//! - [`labels`] (feature `report`): the messages people read for the
//!   vocabularies' codes, one table for every human form of the report.
//! - [`programme`] (feature `room-file`): reading and writing a run of
//!   show as a TOML room file.
//! - [`chat`] (feature `chat`): reading a pasted chat transcript into
//!   questions.
//! - [`conference`] (feature `conference`): reading a conference's
//!   programme into sessions, one room each (in `conference::ics`,
//!   iCalendar; in `conference::frab_xml` and `conference::frab_json`,
//!   frab schedules, sharing `conference::frab`; in `conference::csv`,
//!   CSV; in `conference::time`, the time zones and clock times they
//!   share); in [`conference::slug`], the room id made from a session's
//!   uid; in [`conference::templates`], the room file for each session
//!   type.

#[cfg(feature = "chat")]
pub mod chat;
#[cfg(feature = "conference")]
pub mod conference;
#[cfg(feature = "report")]
pub mod conference_report;
#[cfg(feature = "report")]
mod conference_report_csv;
#[cfg(feature = "report")]
mod conference_report_html;
#[cfg(feature = "report")]
mod conference_report_markdown;
#[cfg(feature = "report")]
pub mod conference_report_schema;
#[cfg(feature = "report")]
pub mod labels;
#[cfg(feature = "room-file")]
pub mod programme;
#[cfg(feature = "report")]
pub mod report;
#[cfg(feature = "report")]
mod report_csv;
#[cfg(feature = "report")]
mod report_genders;
#[cfg(feature = "report")]
mod report_html;
#[cfg(feature = "texts")]
pub mod report_lang;
#[cfg(feature = "report")]
mod report_markdown;
#[cfg(feature = "report")]
mod report_origin;
#[cfg(feature = "report")]
mod report_questions;
#[cfg(feature = "report")]
pub mod report_schema;
#[cfg(feature = "report")]
pub mod report_time;
#[cfg(feature = "report")]
mod report_words;
#[cfg(feature = "report")]
pub mod sheet;
#[cfg(feature = "report")]
pub mod suppress;

#[cfg(feature = "report")]
pub use report_html::ChartError;
#[cfg(feature = "texts")]
pub use report_lang::{Lang, UnknownLang};
