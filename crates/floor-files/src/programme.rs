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
//! caller may use for the room, and the session's people for its report:
//! `[chair]`, `[online_moderator]` and `[rapporteur]`, each a person like
//! a speaker; and `time_zone`, the IANA name of the zone the session is
//! held in (`time_zone = "Europe/Paris"`), for the report's dates and
//! times. Checks are those of the `set_programme` command, so a file
//! that reads is a run of show the room takes. [`format`] writes a run of
//! show back as a room file (the chair's console edits it that way).

use floor_protocol::{Person, Phase, PhaseKind, Programme};
use serde::{Deserialize, Serialize};

use floor_core::validate;

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
    chair: Option<toml::Spanned<Person>>,
    online_moderator: Option<toml::Spanned<Person>>,
    rapporteur: Option<toml::Spanned<Person>>,
    time_zone: Option<toml::Spanned<String>>,
    #[serde(default)]
    phase: Vec<toml::Spanned<PhaseShape>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct PhaseShape {
    title: String,
    kind: PhaseKind,
    minutes: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    minutes_each: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    speaker: Vec<Person>,
}

/// The shape [`format`] writes: the same keys [`parse`] reads.
#[derive(Debug, Serialize)]
struct FileOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chair: Option<&'a Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    online_moderator: Option<&'a Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rapporteur: Option<&'a Person>,
    phase: Vec<PhaseShape>,
}

/// Writes a run of show as a room file that [`parse`] reads back to the
/// same run of show.
///
/// ```
/// let file = floor_files::programme::parse(include_str!("../../../examples/igf2018-ws235.toml")).unwrap();
/// let text = floor_files::programme::format(file.title.as_deref(), &file.programme).unwrap();
/// assert_eq!(floor_files::programme::parse(&text).unwrap(), file);
/// ```
pub fn format(title: Option<&str>, programme: &Programme) -> Result<String, toml::ser::Error> {
    toml::to_string(&FileOut {
        title,
        time_zone: programme.time_zone.as_deref(),
        chair: programme.chair.as_ref(),
        online_moderator: programme.online_moderator.as_ref(),
        rapporteur: programme.rapporteur.as_ref(),
        phase: programme
            .phases
            .iter()
            .map(|p| PhaseShape {
                title: p.title.clone(),
                kind: p.kind,
                minutes: p.minutes,
                minutes_each: p.minutes_each,
                speaker: p.speakers.clone(),
            })
            .collect(),
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Reads a room file.
///
/// ```
/// let file = floor_files::programme::parse("[[phase]]\ntitle = \"Open floor\"\nkind = \"open_floor\"\nminutes = 40\n").unwrap();
/// assert_eq!(file.programme.phases[0].minutes, 40);
/// let error = floor_files::programme::parse("[[phase]]\ntitle = \"Open floor\"\nkind = \"dancing\"\nminutes = 40\n").unwrap_err();
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
    let role_line =
        |who: &Option<toml::Spanned<Person>>| who.as_ref().map(|p| line_of(text, p.span().start));
    let role_lines = [
        ("programme.chair", role_line(&shape.chair)),
        (
            "programme.online_moderator",
            role_line(&shape.online_moderator),
        ),
        ("programme.rapporteur", role_line(&shape.rapporteur)),
        (
            "programme.time_zone",
            shape
                .time_zone
                .as_ref()
                .map(|z| line_of(text, z.span().start)),
        ),
    ];
    let programme = Programme {
        chair: shape.chair.map(toml::Spanned::into_inner),
        online_moderator: shape.online_moderator.map(toml::Spanned::into_inner),
        rapporteur: shape.rapporteur.map(toml::Spanned::into_inner),
        time_zone: shape.time_zone.map(toml::Spanned::into_inner),
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
        let role = role_lines
            .iter()
            .find(|(prefix, _)| field.starts_with(prefix))
            .and_then(|(_, line)| *line);
        let line = index
            .and_then(|i| lines.get(i).copied())
            .or(role)
            .unwrap_or(1);
        let field = field
            .strip_prefix("programme.")
            .unwrap_or(&field)
            .to_owned();
        let what = field
            .split_once("].")
            .map_or(field.as_str(), |(_, rest)| rest)
            .replace("speakers[", "speaker[");
        let why = match &e {
            floor_core::CommandError::InvalidField { reason, .. } => reason.clone(),
            other => other.to_string(),
        };
        RoomFileError {
            line,
            reason: format!("{what}: {why}"),
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
            (
                "title = \"S\"\n\n[chair]\nname = \"\"\n\n[[phase]]\ntitle = \"A\"\nkind = \"opening\"\nminutes = 5\n",
                3,
                "chair.name",
            ),
            (
                "title = \"S\"\ntime_zone = \"Mars/Olympus_Mons\"\n\n[[phase]]\ntitle = \"A\"\nkind = \"opening\"\nminutes = 5\n",
                2,
                "time_zone: Mars/Olympus_Mons is not a time zone",
            ),
        ];
        for (text, line, reason) in cases {
            let error = parse(text).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
            assert!(error.reason.contains(reason), "{text:?}: {error}");
        }
    }
}
