//! Which room file a session starts with, by its type.
//!
//! A small TOML file maps each session type to a room file (the format
//! [`crate::programme::parse`] reads), whose run of show a session of
//! that type gets:
//!
//! ```toml
//! default = "workshop-90.toml"       # optional: for a type not listed
//! [types]
//! "Workshop" = "workshop-90.toml"
//! "Open Forum" = "open-forum-60.toml"
//! "Main Session" = "main-session.toml"
//! ```
//!
//! Types are matched without regard to case, once trimmed. Without
//! `default`, a session of a type not listed (or of no type) gets no run
//! of show. The paths are relative to the mapping file; reading them is
//! the caller's job.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The mapping from session type to room file, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeTemplates {
    /// The room file for a type not listed.
    default: Option<String>,
    /// Each type, trimmed and lowercased, and its room file.
    types: BTreeMap<String, String>,
}

/// Why a mapping file was refused: the line (from 1) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct TemplatesError {
    /// The line the mistake is on, from 1.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shape {
    default: Option<toml::Spanned<String>>,
    #[serde(default)]
    types: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// The key a type is matched by.
fn key(kind: &str) -> String {
    kind.trim().to_lowercase()
}

impl TypeTemplates {
    /// Reads a mapping file.
    ///
    /// ```
    /// use floor_files::conference::TypeTemplates;
    /// let templates = TypeTemplates::parse("[types]\n\"Open Forum\" = \"open-forum-60.toml\"\n").unwrap();
    /// assert_eq!(templates.template_for(" open forum "), Some("open-forum-60.toml"));
    /// assert_eq!(templates.template_for("Workshop"), None);
    /// ```
    pub fn parse(text: &str) -> Result<Self, TemplatesError> {
        let shape: Shape = toml::from_str(text).map_err(|e| TemplatesError {
            line: e.span().map_or(1, |span| line_of(text, span.start)),
            reason: e.message().trim().to_owned(),
        })?;
        let path = |value: toml::Spanned<String>, what: &str| {
            let line = line_of(text, value.span().start);
            let path = value.into_inner().trim().to_owned();
            if path.is_empty() {
                Err(TemplatesError {
                    line,
                    reason: format!("{what}: the room file's path is empty"),
                })
            } else {
                Ok(path)
            }
        };
        let default = shape.default.map(|d| path(d, "default")).transpose()?;
        // Each type with its line, in the file's order, so that a type
        // listed twice is reported where it is listed again.
        let mut listed: Vec<(usize, String, toml::Spanned<String>)> = shape
            .types
            .into_iter()
            .map(|(kind, file)| (line_of(text, kind.span().start), kind.into_inner(), file))
            .collect();
        listed.sort_by_key(|(line, _, _)| *line);
        let mut types = BTreeMap::new();
        for (line, name, file) in listed {
            let k = key(&name);
            if k.is_empty() {
                return Err(TemplatesError {
                    line,
                    reason: "a type's name is empty".into(),
                });
            }
            let file = path(file, &format!("type {name:?}"))?;
            if types.insert(k, file).is_some() {
                return Err(TemplatesError {
                    line,
                    reason: format!(
                        "type {name:?} is listed twice (types are matched without regard to case)"
                    ),
                });
            }
        }
        Ok(Self { default, types })
    }

    /// The room file (relative to the mapping file) for a session of a
    /// type: the type's, else the default, else none.
    pub fn template_for(&self, kind: &str) -> Option<&str> {
        self.types
            .get(&key(kind))
            .or(self.default.as_ref())
            .map(String::as_str)
    }

    /// Every room file the mapping names, the default first, each once:
    /// for a caller to read (and check) them all before an import.
    pub fn files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = Vec::new();
        for file in self.default.iter().chain(self.types.values()) {
            if !files.contains(&file.as_str()) {
                files.push(file);
            }
        }
        files
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const EXAMPLE: &str = include_str!("../../../../examples/conference-types.toml");

    #[test]
    fn the_example_maps_every_igf_type() {
        let templates = TypeTemplates::parse(EXAMPLE).unwrap();
        assert_eq!(templates.template_for("Workshop"), Some("workshop-90.toml"));
        assert_eq!(
            templates.template_for("  open FORUM"),
            Some("open-forum-60.toml")
        );
        assert_eq!(
            templates.template_for("Main Session"),
            Some("main-session.toml")
        );
        assert_eq!(
            templates.template_for("Best Practice Forum"),
            Some("workshop-90.toml")
        );
        assert_eq!(
            templates.template_for("Dynamic Coalition"),
            Some("workshop-90.toml")
        );
        assert_eq!(
            templates.template_for("Lightning Talk"),
            Some("workshop-90.toml")
        );
        assert_eq!(
            templates.files(),
            [
                "workshop-90.toml",
                "main-session.toml",
                "open-forum-60.toml"
            ]
        );
    }

    #[test]
    fn without_a_default_an_unlisted_type_gets_nothing() {
        let templates = TypeTemplates::parse("[types]\nWorkshop = \"w.toml\"\n").unwrap();
        assert_eq!(templates.template_for("workshop"), Some("w.toml"));
        assert_eq!(templates.template_for(""), None);
        assert_eq!(templates.template_for("Open Forum"), None);
        assert_eq!(TypeTemplates::parse("").unwrap().template_for("x"), None);
    }

    #[test]
    fn mistakes_are_refused_with_their_line() {
        let cases = [
            (
                "[types]\nWorkshop = \"a.toml\"\n\"WORKSHOP \" = \"b.toml\"\n",
                3,
                "listed twice",
            ),
            ("default = \"\"\n", 1, "empty"),
            ("[types]\nWorkshop = \"\"\n", 2, "empty"),
            ("[types]\nWorkshop = 90\n", 2, "invalid type"),
            ("[typez]\nWorkshop = \"a.toml\"\n", 1, "unknown field"),
        ];
        for (text, line, reason) in cases {
            let error = TypeTemplates::parse(text).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
            assert!(error.reason.contains(reason), "{text:?}: {error}");
        }
    }
}
