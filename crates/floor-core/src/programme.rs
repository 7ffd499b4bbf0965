//! Reading a run of show from a TOML room file, with the line of every
//! mistake.
//!
//! ```toml
//! [[phase]]
//! title = "Presentations"
//! kind = "presentations"      # opening | presentations | open_floor | closing | other
//! minutes = 40
//! minutes_each = 8            # optional: minutes per speaker
//!
//! [[phase.speaker]]
//! name = "Roberto Bissio"
//! affiliation = "Social Watch"              # optional
//! stakeholder_group = "civil_society"       # optional
//! region = "grulac"                         # optional
//! ```
//!
//! The file may also carry `title` (the session's title), which the
//! caller may use for the room. Checks are those of the `set_programme`
//! command, so a file that reads is a run of show the room takes.

use floor_protocol::{Person, Phase, PhaseKind, Programme};
use serde::Deserialize;

use crate::validate;

/// A room file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomFile {
    /// The session's title, if the file gives one.
    pub title: Option<String>,
    /// The run of show.
    pub programme: Programme,
}

/// Why a room file was refused: the line (from 1) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RoomFileError {
    /// The line the mistake is on, from 1.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    title: Option<String>,
    #[serde(default)]
    phase: Vec<toml::Spanned<PhaseShape>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseShape {
    title: String,
    kind: PhaseKind,
    minutes: u32,
    minutes_each: Option<u32>,
    #[serde(default)]
    speaker: Vec<Person>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Reads a room file.
///
/// ```
/// let file = floor_core::programme::parse("[[phase]]\ntitle = \"Open floor\"\nkind = \"open_floor\"\nminutes = 40\n").unwrap();
/// assert_eq!(file.programme.phases[0].minutes, 40);
/// let error = floor_core::programme::parse("[[phase]]\ntitle = \"Open floor\"\nkind = \"dancing\"\nminutes = 40\n").unwrap_err();
/// assert_eq!(error.line, 3);
/// ```
pub fn parse(text: &str) -> Result<RoomFile, RoomFileError> {
    let shape: FileShape = toml::from_str(text).map_err(|e| RoomFileError {
        line: e.span().map_or(1, |span| line_of(text, span.start)),
        reason: e.message().trim().to_owned(),
    })?;
    if shape.phase.is_empty() {
        return Err(RoomFileError {
            line: 1,
            reason: "no [[phase]]: a run of show has at least one phase".into(),
        });
    }
    let lines: Vec<usize> = shape
        .phase
        .iter()
        .map(|p| line_of(text, p.span().start))
        .collect();
    let programme = Programme {
        phases: shape
            .phase
            .into_iter()
            .map(|p| {
                let p = p.into_inner();
                Phase {
                    title: p.title,
                    kind: p.kind,
                    minutes: p.minutes,
                    speakers: p.speaker,
                    minutes_each: p.minutes_each,
                }
            })
            .collect(),
    };
    let programme = validate::programme(&programme).map_err(|e| {
        // The field names the phase: `programme.phases[i]...`.
        let field = e.field().unwrap_or("programme").to_owned();
        let index = field
            .strip_prefix("programme.phases[")
            .and_then(|rest| rest.split(']').next())
            .and_then(|i| i.parse::<usize>().ok());
        let line = index.and_then(|i| lines.get(i).copied()).unwrap_or(1);
        let what = field
            .split_once("].")
            .map_or(field.as_str(), |(_, rest)| rest)
            .replace("speakers[", "speaker[");
        RoomFileError {
            line,
            reason: format!("{what}: {e}"),
        }
    })?;
    Ok(RoomFile {
        title: shape.title,
        programme,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_igf_session_reads() {
        let file = parse(include_str!("../../../examples/igf2018-ws235.toml")).unwrap();
        let phases = &file.programme.phases;
        let kinds: Vec<PhaseKind> = phases.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                PhaseKind::Presentations,
                PhaseKind::OpenFloor,
                PhaseKind::Closing
            ]
        );
        assert_eq!(phases[0].speakers.len(), 5);
        assert_eq!(phases[0].minutes_each, Some(8));
        assert_eq!(phases[1].minutes, 40);
        assert_eq!(phases[2].minutes_each, Some(2));
        assert_eq!(file.programme.minutes(), 90);
    }

    #[test]
    fn mistakes_are_refused_with_their_line() {
        let cases = [
            (
                "[[phase]]\ntitle = \"A\"\nkind = \"opening\"\nminutes = \"five\"\n",
                4,
                "invalid type",
            ),
            (
                "[[phase]]\ntitle = \"A\"\nkind = \"opening\"\n",
                1,
                "missing field `minutes`",
            ),
            (
                "[[phase]]\ntitle = \"A\"\nkind = \"opening\"\nminutes = 5\ncolour = \"red\"\n",
                5,
                "unknown field",
            ),
            ("title = \"S\"\n", 1, "no [[phase]]"),
            (
                "[[phase]]\ntitle = \"A\"\nkind = \"opening\"\nminutes = 5\n\n[[phase]]\ntitle = \"B\"\nkind = \"other\"\nminutes = 0\n",
                6,
                "minutes",
            ),
            (
                "[[phase]]\ntitle = \"A\"\nkind = \"presentations\"\nminutes = 5\n[[phase.speaker]]\nname = \"\"\n",
                1,
                "speaker[0].name",
            ),
            ("[[phase]\n", 1, ""),
        ];
        for (text, line, reason) in cases {
            let error = parse(text).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
            assert!(error.reason.contains(reason), "{text:?}: {error}");
        }
    }
}
