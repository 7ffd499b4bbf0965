//! Reading a conference programme into sessions, one room each.
//!
//! [`read_programme`] reads the text of a programme in one of four forms
//! ([`ProgrammeFormat`]) into [`ProgrammeSession`]s, checked and sorted:
//!
//! - iCalendar (`.ics`, what Sched and most agenda tools export), in
//!   `ics`;
//! - frab schedule XML (`.xml`, what pretalx and FOSDEM publish), in
//!   `frab_xml`;
//! - frab schedule JSON (`.json`, pretalx's `schedule.json`), in
//!   `frab_json` (the two frab forms share `frab`);
//! - CSV (`.csv`, for a programme kept in a spreadsheet), in `csv`, whose
//!   documentation gives its columns.
//!
//! Every session gets a room id from its uid by the rule in [`slug`], a
//! rule that never changes, so that importing the same programme again
//! finds the same rooms. [`templates`] reads the mapping from a session's
//! type to the room file whose run of show it starts with.
//!
//! The reading does no I/O: the caller reads the files and hands in their
//! text.

mod csv;
mod frab;
mod frab_json;
mod frab_xml;
mod ics;
pub mod slug;
pub mod templates;
mod time;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;

pub use templates::{TemplatesError, TypeTemplates};

/// The longest title a session may have, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// One session of a programme: what a room is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeSession {
    /// The source's stable id for the session: the iCalendar UID, the
    /// frab event's guid (else its id), the CSV `id`.
    pub uid: String,
    /// The room id: a stable slug of [`Self::uid`] ([`slug::room_id`]).
    pub id: String,
    /// The title, trimmed: 1 to 200 characters, no control characters.
    pub title: String,
    /// When the session starts.
    pub starts_at: jiff::Timestamp,
    /// When the session ends, strictly after [`Self::starts_at`].
    pub ends_at: jiff::Timestamp,
    /// Where it is held (the room's name in the venue), trimmed, never
    /// empty.
    pub location: String,
    /// The session's type as the source writes it ("Workshop", "Open
    /// Forum"...), trimmed; empty when the source gives none.
    pub kind: String,
    /// The IANA name of the time zone the source gives for the session
    /// (an iCalendar TZID, a frab schedule's time zone, a CSV time's
    /// bracketed zone); `None` for times in UTC or with an offset alone.
    pub time_zone: Option<String>,
}

/// The form a programme is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgrammeFormat {
    /// iCalendar (RFC 5545): a `VCALENDAR` of `VEVENT`s.
    Ics,
    /// A frab schedule in XML (`<schedule>`), as pretalx publishes it.
    FrabXml,
    /// A frab schedule in JSON (`{"schedule": ...}`), as pretalx
    /// publishes it.
    FrabJson,
    /// CSV with the columns `id,title,start,end,location,type`.
    Csv,
}

impl ProgrammeFormat {
    /// The format a file's extension names: `.ics`, `.xml`, `.json` or
    /// `.csv` (in any case).
    ///
    /// ```
    /// use floor_files::conference::ProgrammeFormat;
    /// use std::path::Path;
    /// assert_eq!(ProgrammeFormat::from_path(Path::new("igf.ICS")).unwrap(), ProgrammeFormat::Ics);
    /// assert!(ProgrammeFormat::from_path(Path::new("igf.pdf")).is_err());
    /// ```
    pub fn from_path(path: &Path) -> Result<Self, ProgrammeError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("ics") => Ok(Self::Ics),
            Some("xml") => Ok(Self::FrabXml),
            Some("json") => Ok(Self::FrabJson),
            Some("csv") => Ok(Self::Csv),
            _ => Err(ProgrammeError::UnknownFormat {
                path: path.display().to_string(),
            }),
        }
    }

    /// The format's name for people, as errors give it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ics => "iCalendar",
            Self::FrabXml => "frab schedule XML",
            Self::FrabJson => "frab schedule JSON",
            Self::Csv => "CSV",
        }
    }
}

/// Why a programme was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgrammeError {
    /// The file's extension names no programme format.
    #[error(
        "{path}: not a programme format floor reads; name the file .ics (iCalendar), .xml (frab schedule XML), .json (frab schedule JSON) or .csv"
    )]
    UnknownFormat {
        /// The path as given.
        path: String,
    },
    /// The text is not of its format at all.
    #[error("the programme is not readable as {format}: {reason}")]
    Unreadable {
        /// The format's name.
        format: &'static str,
        /// What the reader found wrong.
        reason: String,
    },
    /// One session is wrong.
    #[error("{session}: {reason}")]
    Session {
        /// Which session: its uid, else its place (a CSV row, an
        /// iCalendar event's number).
        session: String,
        /// What is wrong, and what would do.
        reason: String,
    },
    /// A CSV header names a column floor does not read.
    #[error(
        "CSV column {column:?} is not one floor reads; the columns are id, title, start, end, location and type (check its spelling)"
    )]
    UnknownColumn {
        /// The column's name as written.
        column: String,
    },
    /// A CSV header lacks a column floor needs.
    #[error(
        "the CSV header has no {column:?} column; the columns are id, title, start, end, location and type"
    )]
    MissingColumn {
        /// The missing column.
        column: &'static str,
    },
    /// A CSV header names a column twice.
    #[error("the CSV header names the column {column:?} twice")]
    DuplicateColumn {
        /// The column named twice.
        column: String,
    },
    /// Two sessions have the same uid.
    #[error("two sessions have the uid {uid:?}: each session needs its own")]
    DuplicateUid {
        /// The uid.
        uid: String,
    },
    /// Two uids give the same room id.
    #[error(
        "sessions {first:?} and {second:?} would both get the room id {id:?}: give one of them a uid that differs in more than case or punctuation"
    )]
    IdCollision {
        /// The first session's uid.
        first: String,
        /// The second session's uid.
        second: String,
        /// The room id both would get.
        id: String,
    },
    /// The programme has no session.
    #[error("the programme has no sessions (cancelled sessions are left out)")]
    Empty,
}

/// A session as a reader found it, before the checks all formats share.
#[derive(Debug)]
pub(crate) struct Draft {
    /// Which session, for errors (`UID "x"`, `row 4`).
    pub(crate) at: String,
    pub(crate) uid: String,
    pub(crate) title: String,
    pub(crate) starts_at: jiff::Timestamp,
    pub(crate) ends_at: jiff::Timestamp,
    pub(crate) location: String,
    pub(crate) kind: String,
    pub(crate) time_zone: Option<String>,
}

/// An error about one session.
pub(crate) fn session_error(at: &str, reason: impl Into<String>) -> ProgrammeError {
    ProgrammeError::Session {
        session: at.to_owned(),
        reason: reason.into(),
    }
}

impl Draft {
    /// The checks every format shares: a uid, a title, a location, an end
    /// after the start; and the room id.
    fn check(self) -> Result<ProgrammeSession, ProgrammeError> {
        let at = self.at;
        let uid = self.uid.trim().to_owned();
        if uid.is_empty() {
            return Err(session_error(&at, "has no uid: give it a stable id"));
        }
        let title = self.title.trim().to_owned();
        let chars = title.chars().count();
        if chars == 0 {
            return Err(session_error(&at, "has no title"));
        }
        if chars > MAX_TITLE_CHARS {
            return Err(session_error(
                &at,
                format!(
                    "its title has {chars} characters; a room's title has at most {MAX_TITLE_CHARS}: shorten it"
                ),
            ));
        }
        if title.chars().any(char::is_control) {
            return Err(session_error(
                &at,
                "its title has a control character (a line break or tab?): write it on one line",
            ));
        }
        let location = self.location.trim().to_owned();
        if location.is_empty() {
            return Err(session_error(
                &at,
                "has no location: say which room it is in",
            ));
        }
        if self.ends_at <= self.starts_at {
            return Err(session_error(
                &at,
                format!(
                    "ends ({}) no later than it starts ({}): check its end or duration",
                    self.ends_at, self.starts_at
                ),
            ));
        }
        Ok(ProgrammeSession {
            id: slug::room_id(&uid),
            uid,
            title,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            location,
            kind: self.kind.trim().to_owned(),
            time_zone: self.time_zone,
        })
    }
}

/// Checks the drafts, refuses duplicate uids and room ids, and sorts the
/// sessions by start, location and id.
fn assemble(drafts: Vec<Draft>) -> Result<Vec<ProgrammeSession>, ProgrammeError> {
    let mut sessions = drafts
        .into_iter()
        .map(Draft::check)
        .collect::<Result<Vec<_>, _>>()?;
    if sessions.is_empty() {
        return Err(ProgrammeError::Empty);
    }
    let mut uids: HashMap<&str, ()> = HashMap::with_capacity(sessions.len());
    let mut ids: HashMap<&str, &str> = HashMap::with_capacity(sessions.len());
    for session in &sessions {
        if uids.insert(&session.uid, ()).is_some() {
            return Err(ProgrammeError::DuplicateUid {
                uid: session.uid.clone(),
            });
        }
        if let Some(first) = ids.insert(&session.id, &session.uid) {
            return Err(ProgrammeError::IdCollision {
                first: first.to_owned(),
                second: session.uid.clone(),
                id: session.id.clone(),
            });
        }
    }
    sessions
        .sort_by(|a, b| (a.starts_at, &a.location, &a.id).cmp(&(b.starts_at, &b.location, &b.id)));
    Ok(sessions)
}

/// Reads a programme's text into its sessions, sorted by (start,
/// location, id).
///
/// Every session must have a uid, a title of 1 to 200 characters without
/// control characters, a location and an end after its start; no two may
/// share a uid or a room id; a programme without sessions is refused.
/// Each error names the session and says what to mend.
///
/// ```
/// use floor_files::conference::{read_programme, ProgrammeFormat};
/// let csv = "id,title,start,end,location,type\n\
///            WS235,Digital industrialization,2018-11-12T10:00:00+01:00[Europe/Paris],2018-11-12T11:30:00+01:00[Europe/Paris],Room I,Workshop\n";
/// let sessions = read_programme(csv, ProgrammeFormat::Csv).unwrap();
/// assert_eq!(sessions[0].id, "ws235");
/// assert_eq!(sessions[0].time_zone.as_deref(), Some("Europe/Paris"));
/// ```
pub fn read_programme(
    text: &str,
    format: ProgrammeFormat,
) -> Result<Vec<ProgrammeSession>, ProgrammeError> {
    let drafts = match format {
        ProgrammeFormat::Ics => ics::read(text)?,
        ProgrammeFormat::FrabXml => frab_xml::read(text)?,
        ProgrammeFormat::FrabJson => frab_json::read(text)?,
        ProgrammeFormat::Csv => csv::read(text)?,
    };
    assemble(drafts)
}
