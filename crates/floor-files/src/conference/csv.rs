//! Reading a programme kept in a spreadsheet, as CSV.
//!
//! The first line is the header; it names these columns, in any order:
//!
//! | column     | what it holds                                                    |
//! |------------|------------------------------------------------------------------|
//! | `id`       | the session's stable id, kept from one import to the next        |
//! | `title`    | its title, 1 to 200 characters                                   |
//! | `start`    | when it starts                                                   |
//! | `end`      | when it ends, after its start                                    |
//! | `location` | where it is held                                                 |
//! | `type`     | optional: its type ("Workshop"), which picks its run of show     |
//!
//! The names are exact (lowercase); a column of any other name is
//! refused, so that a misspelt column is not silently dropped, and so is
//! a column named twice. The `type` column may be left out, or a cell of
//! it empty.
//!
//! Times are written as RFC 3339 with their offset,
//! `2018-11-12T10:00:00+01:00` (or `2018-11-12T09:00:00Z`), or with the
//! IANA time zone in brackets after the offset,
//! `2018-11-12T10:00:00+01:00[Europe/Paris]`, which becomes the
//! session's time zone (the offset must be the zone's at that time).
//!
//! ```csv
//! id,title,start,end,location,type
//! WS235,"How Can Developing Countries Do Digital Industrialization?",2018-11-12T10:00:00+01:00[Europe/Paris],2018-11-12T11:30:00+01:00[Europe/Paris],Room I,Workshop
//! ```
//!
//! Cells are separated by commas, and quoted with `"` when they hold a
//! comma, a quote (doubled) or a line break; the file is UTF-8.

use jiff::{Timestamp, Zoned};

use super::{Draft, ProgrammeError, session_error};

const FORMAT: &str = "CSV";

/// The columns, in the order the documentation gives them.
const COLUMNS: [&str; 6] = ["id", "title", "start", "end", "location", "type"];

/// The columns a file must have.
const REQUIRED: [&str; 5] = ["id", "title", "start", "end", "location"];

/// A time, and the IANA zone written with it.
fn when(text: &str, column: &str, at: &str) -> Result<(Timestamp, Option<String>), ProgrammeError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(session_error(at, format!("has no {column}")));
    }
    let bad = |e: jiff::Error| {
        session_error(
            at,
            format!(
                "its {column} {text:?} is not a time such as 2018-11-12T10:00:00+01:00 or 2018-11-12T10:00:00+01:00[Europe/Paris] ({e})"
            ),
        )
    };
    if text.contains('[') {
        let zoned: Zoned = text.parse().map_err(bad)?;
        let name = zoned.time_zone().iana_name().map(str::to_owned);
        Ok((zoned.timestamp(), name))
    } else {
        Ok((text.parse().map_err(bad)?, None))
    }
}

/// Reads a CSV programme's sessions, unchecked.
pub(crate) fn read(text: &str) -> Result<Vec<Draft>, ProgrammeError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let unreadable = |e: ::csv::Error| ProgrammeError::Unreadable {
        format: FORMAT,
        reason: e.to_string(),
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(unreadable)?.clone();
    // The index of each column in COLUMNS' order.
    let mut index: [Option<usize>; 6] = [None; 6];
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        let Some(known) = COLUMNS.iter().position(|c| *c == name) else {
            return Err(ProgrammeError::UnknownColumn {
                column: name.to_owned(),
            });
        };
        if index[known].replace(i).is_some() {
            return Err(ProgrammeError::DuplicateColumn {
                column: name.to_owned(),
            });
        }
    }
    for column in REQUIRED {
        if COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|k| index[k])
            .is_none()
        {
            return Err(ProgrammeError::MissingColumn { column });
        }
    }
    let mut drafts = Vec::new();
    for record in reader.records() {
        let record = record.map_err(unreadable)?;
        let cell = |column: usize| -> String {
            index[column]
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let line = record.position().map_or(0, |p| p.line());
        let uid = cell(0);
        let at = if uid.trim().is_empty() {
            format!("line {line}")
        } else {
            format!("line {line} (id {:?})", uid.trim())
        };
        let (starts_at, time_zone) = when(&cell(2), "start", &at)?;
        let (ends_at, end_zone) = when(&cell(3), "end", &at)?;
        if end_zone.is_some() && time_zone.is_some() && end_zone != time_zone {
            return Err(session_error(
                &at,
                "its start and end are in different time zones: write both in the session's",
            ));
        }
        drafts.push(Draft {
            uid,
            title: cell(1),
            starts_at,
            ends_at,
            location: cell(4),
            kind: cell(5),
            time_zone: time_zone.or(end_zone),
            at,
        });
    }
    Ok(drafts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::conference::{ProgrammeError, ProgrammeFormat, read_programme};

    const HEADER: &str = "id,title,start,end,location,type\n";
    const WS235: &str = "WS235,\"Digital Industrialization, Why?\",2018-11-12T10:00:00+01:00[Europe/Paris],2018-11-12T11:30:00+01:00[Europe/Paris],Room I,Workshop\n";

    #[test]
    fn rows_read_in_any_column_order() {
        let s = &read_programme(&format!("{HEADER}{WS235}"), ProgrammeFormat::Csv).unwrap()[0];
        assert_eq!(s.uid, "WS235");
        assert_eq!(s.id, "ws235");
        assert_eq!(s.title, "Digital Industrialization, Why?");
        assert_eq!(s.starts_at.to_string(), "2018-11-12T09:00:00Z");
        assert_eq!(s.ends_at.to_string(), "2018-11-12T10:30:00Z");
        assert_eq!(s.location, "Room I");
        assert_eq!(s.kind, "Workshop");
        assert_eq!(s.time_zone.as_deref(), Some("Europe/Paris"));

        let text = "location,end,start,title,id\nRoom I,2018-11-12T10:30:00Z,2018-11-12T10:00:00+01:00,A,x\n";
        let s = &read_programme(text, ProgrammeFormat::Csv).unwrap()[0];
        assert_eq!(s.starts_at.to_string(), "2018-11-12T09:00:00Z");
        assert_eq!(s.kind, "");
        assert_eq!(s.time_zone, None);
    }

    #[test]
    fn header_mistakes_are_refused() {
        let error = read_programme(
            &format!("id,title,start,end,location,typ\n{WS235}"),
            ProgrammeFormat::Csv,
        )
        .unwrap_err();
        assert_eq!(
            error,
            ProgrammeError::UnknownColumn {
                column: "typ".into()
            }
        );
        assert!(error.to_string().contains("check its spelling"));
        let error = read_programme("id,title,start,location\n", ProgrammeFormat::Csv).unwrap_err();
        assert_eq!(error, ProgrammeError::MissingColumn { column: "end" });
        let error =
            read_programme("id,title,start,end,location,id\n", ProgrammeFormat::Csv).unwrap_err();
        assert!(matches!(error, ProgrammeError::DuplicateColumn { .. }));
        assert_eq!(
            read_programme(HEADER, ProgrammeFormat::Csv).unwrap_err(),
            ProgrammeError::Empty
        );
    }

    #[test]
    fn row_mistakes_name_the_line() {
        let cases = [
            (
                WS235.replace(
                    "2018-11-12T10:00:00+01:00[Europe/Paris]",
                    "12/11/2018 10:00",
                ),
                "its start \"12/11/2018 10:00\" is not a time",
            ),
            (
                WS235.replace(
                    "2018-11-12T10:00:00+01:00[Europe/Paris]",
                    "2018-11-12T10:00:00",
                ),
                "is not a time",
            ),
            (
                WS235.replace("+01:00[Europe/Paris],Room", "+02:00[Europe/Paris],Room"),
                "its end",
            ),
            (
                WS235.replace("11:30:00", "09:30:00"),
                "no later than it starts",
            ),
            (WS235.replace("Room I", ""), "has no location"),
            (
                WS235.replace("Digital Industrialization, Why?", &"x".repeat(201)),
                "201 characters",
            ),
        ];
        for (row, reason) in cases {
            let text = read_programme(&format!("{HEADER}{row}"), ProgrammeFormat::Csv)
                .unwrap_err()
                .to_string();
            assert!(text.starts_with("line 2 (id \"WS235\"): "), "{text}");
            assert!(text.contains(reason), "{text}");
        }
        let twice = format!("{HEADER}{WS235}{WS235}");
        assert_eq!(
            read_programme(&twice, ProgrammeFormat::Csv).unwrap_err(),
            ProgrammeError::DuplicateUid {
                uid: "WS235".into()
            }
        );
        let collide = format!("{HEADER}{WS235}{}", WS235.replacen("WS235", "ws235", 1));
        let error = read_programme(&collide, ProgrammeFormat::Csv).unwrap_err();
        assert!(
            matches!(error, ProgrammeError::IdCollision { .. }),
            "{error}"
        );
        let short = format!("{HEADER}WS1,A,2018-11-12T10:00:00Z\n");
        assert!(matches!(
            read_programme(&short, ProgrammeFormat::Csv).unwrap_err(),
            ProgrammeError::Unreadable { .. }
        ));
    }
}
