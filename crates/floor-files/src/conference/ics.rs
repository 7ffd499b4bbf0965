//! Reading an iCalendar programme (RFC 5545), as Sched and most agenda
//! tools export it.
//!
//! Each `VEVENT` is a session: `UID` its uid, `SUMMARY` its title,
//! `DTSTART` its start, `DTEND` its end (else `DTSTART` plus `DURATION`),
//! `LOCATION` its location and the first of its `CATEGORIES` its type
//! (no `X-` property for a session's type is common enough among
//! exporters to be read as well). Folded lines and escaped text
//! (`\,`, `\;`, `\n`) are read by the `icalendar` crate.
//!
//! Times are read three ways: `20181112T090000Z` in UTC;
//! `DTSTART;TZID=Europe/Paris:20181112T100000` in the named IANA zone,
//! which becomes the session's time zone (a `TZID` with a prefix, such as
//! `/freeassociation.sourceforge.net/Europe/Paris`, is read by its IANA
//! tail); and a floating `20181112T100000` in the calendar's
//! `X-WR-TIMEZONE` when it has one (then the session's time zone), else
//! in UTC. The zones come from the IANA database bundled with floor, not
//! from the calendar's `VTIMEZONE`s. An all-day event (a date without a
//! time) and a repeating one (`RRULE`) are refused: a session is held
//! once, at a time.
//!
//! An event with `STATUS:CANCELLED` is left out, as if the programme did
//! not list it: importing the programme again then archives its room.

use icalendar::parser::{Component, Property, read_calendar, unfold};
use jiff::civil::DateTime;
use jiff::{Span, Timestamp};

use super::{Draft, ProgrammeError, session_error, time};

const FORMAT: &str = "iCalendar";

fn prop<'c>(component: &'c Component<'_>, name: &str) -> Option<&'c Property<'c>> {
    component
        .properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn param<'p>(property: &'p Property<'_>, name: &str) -> Option<&'p str> {
    property
        .params
        .iter()
        .find(|p| p.key.as_str().eq_ignore_ascii_case(name))
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str())
}

/// The first category of a `CATEGORIES` value, whose commas separate
/// categories unless escaped.
fn first_category(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            ',' => break,
            '\\' => match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            },
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// The IANA zone a `TZID` names: the whole of it, else the longest tail
/// after a `/` that is an IANA name.
fn tzid_zone(tzid: &str) -> Result<(String, jiff::tz::TimeZone), String> {
    let tzid = tzid.trim();
    if let Ok(zone) = time::zone(tzid) {
        return Ok((tzid.to_owned(), zone));
    }
    for (i, _) in tzid.match_indices('/') {
        let tail = &tzid[i + 1..];
        if let Ok(zone) = time::zone(tail) {
            return Ok((tail.to_owned(), zone));
        }
    }
    Err(format!(
        "its TZID {tzid:?} is not an IANA time zone name (such as Europe/Paris)"
    ))
}

/// A `DTSTART` or `DTEND`: its instant and the IANA zone it names.
fn date_time(
    property: &Property<'_>,
    floating_zone: Option<&str>,
) -> Result<(Timestamp, Option<String>), String> {
    let name = property.name.as_str().to_ascii_uppercase();
    let value = property.val.as_str().trim();
    let is_date = param(property, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        || (value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()));
    if is_date {
        return Err(format!(
            "its {name} {value:?} is a date without a time (an all-day event): give the session's time"
        ));
    }
    let (civil, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(civil) => (civil, true),
        None => (value, false),
    };
    let civil = DateTime::strptime("%Y%m%dT%H%M%S", civil).map_err(|_| {
        format!("its {name} {value:?} is not a date and time such as 20181112T100000 or 20181112T090000Z")
    })?;
    if utc {
        let at = time::in_zone(civil, &jiff::tz::TimeZone::UTC)?;
        return Ok((at, None));
    }
    if let Some(tzid) = param(property, "TZID") {
        let (name, zone) = tzid_zone(tzid)?;
        return Ok((time::in_zone(civil, &zone)?, Some(name)));
    }
    match floating_zone {
        Some(name) => {
            let zone =
                time::zone(name).map_err(|e| format!("the calendar's X-WR-TIMEZONE: {e}"))?;
            Ok((time::in_zone(civil, &zone)?, Some(name.to_owned())))
        }
        None => Ok((time::in_zone(civil, &jiff::tz::TimeZone::UTC)?, None)),
    }
}

/// `DTSTART` plus a `DURATION`, its days counted in the start's zone.
fn plus_duration(
    start: Timestamp,
    zone: Option<&str>,
    duration: &str,
) -> Result<Timestamp, String> {
    let span: Span = duration
        .trim()
        .parse()
        .map_err(|_| format!("its DURATION {duration:?} is not a duration such as PT1H30M"))?;
    let zone = match zone {
        Some(name) => time::zone(name)?,
        None => jiff::tz::TimeZone::UTC,
    };
    start
        .to_zoned(zone)
        .checked_add(span)
        .map(|z| z.timestamp())
        .map_err(|e| format!("its DURATION {duration:?} cannot be added to its start: {e}"))
}

fn event(
    component: &Component<'_>,
    number: usize,
    floating_zone: Option<&str>,
) -> Result<Option<Draft>, ProgrammeError> {
    let text = |name: &str| prop(component, name).map(|p| p.val.as_str().to_owned());
    let uid = text("UID").unwrap_or_default();
    let at = if uid.trim().is_empty() {
        format!("event {number} (no UID)")
    } else {
        format!("event {:?}", uid.trim())
    };
    if text("STATUS").is_some_and(|s| s.trim().eq_ignore_ascii_case("CANCELLED")) {
        return Ok(None);
    }
    if prop(component, "RRULE").is_some() {
        return Err(session_error(
            &at,
            "repeats (RRULE): list each occurrence as an event of its own",
        ));
    }
    let start = prop(component, "DTSTART")
        .ok_or_else(|| session_error(&at, "has no DTSTART: give the session's start"))?;
    let (starts_at, time_zone) =
        date_time(start, floating_zone).map_err(|e| session_error(&at, e))?;
    let ends_at = match (prop(component, "DTEND"), prop(component, "DURATION")) {
        (Some(end), _) => {
            date_time(end, floating_zone)
                .map_err(|e| session_error(&at, e))?
                .0
        }
        (None, Some(duration)) => {
            plus_duration(starts_at, time_zone.as_deref(), duration.val.as_str())
                .map_err(|e| session_error(&at, e))?
        }
        (None, None) => {
            return Err(session_error(
                &at,
                "has neither DTEND nor DURATION: give the session's end",
            ));
        }
    };
    Ok(Some(Draft {
        uid,
        title: text("SUMMARY").unwrap_or_default(),
        starts_at,
        ends_at,
        location: text("LOCATION").unwrap_or_default(),
        kind: prop(component, "CATEGORIES")
            .map(|p| first_category(p.val.as_str()))
            .unwrap_or_default(),
        time_zone,
        at,
    }))
}

/// Reads an iCalendar programme's sessions, unchecked.
pub(crate) fn read(text: &str) -> Result<Vec<Draft>, ProgrammeError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let unfolded = unfold(text);
    let calendar = read_calendar(&unfolded).map_err(|reason| ProgrammeError::Unreadable {
        format: FORMAT,
        reason: reason.trim_start_matches("error: ").trim().to_owned(),
    })?;
    if calendar.properties.is_empty()
        && !calendar
            .components
            .iter()
            .any(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
    {
        return Err(ProgrammeError::Unreadable {
            format: FORMAT,
            reason: "no BEGIN:VCALENDAR with events".into(),
        });
    }
    let floating_zone = calendar
        .properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case("X-WR-TIMEZONE"))
        .map(|p| p.val.as_str().trim().to_owned())
        .filter(|z| !z.is_empty());
    let mut drafts = Vec::new();
    let events = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"));
    for (i, component) in events.enumerate() {
        if let Some(draft) = event(component, i + 1, floating_zone.as_deref())? {
            drafts.push(draft);
        }
    }
    Ok(drafts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::conference::{ProgrammeFormat, read_programme};

    fn calendar(events: &str) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//floor//test//EN\r\n{events}END:VCALENDAR\r\n"
        )
    }

    const WS235: &str = "BEGIN:VEVENT\r\n\
        UID:IGF2018-WS235@intgovforum.org\r\n\
        DTSTART;TZID=Europe/Paris:20181112T100000\r\n\
        DTEND;TZID=Europe/Paris:20181112T113000\r\n\
        SUMMARY:How Can Developing Countries Do Digital Industrialization\\, \r\n and Why?\r\n\
        LOCATION:Salle \r\n XII\r\n\
        CATEGORIES:Workshop,Development\r\n\
        END:VEVENT\r\n";

    #[test]
    fn a_zoned_event_reads_unfolded_and_unescaped() {
        let sessions = read_programme(&calendar(WS235), ProgrammeFormat::Ics).unwrap();
        let s = &sessions[0];
        assert_eq!(s.uid, "IGF2018-WS235@intgovforum.org");
        assert_eq!(s.id, "igf2018-ws235-intgovforum-org");
        assert_eq!(
            s.title,
            "How Can Developing Countries Do Digital Industrialization, and Why?"
        );
        assert_eq!(s.location, "Salle XII");
        assert_eq!(s.kind, "Workshop");
        assert_eq!(s.starts_at.to_string(), "2018-11-12T09:00:00Z");
        assert_eq!(s.ends_at.to_string(), "2018-11-12T10:30:00Z");
        assert_eq!(s.time_zone.as_deref(), Some("Europe/Paris"));
    }

    #[test]
    fn utc_floating_and_duration_times_read() {
        let utc = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20181112T090000Z\r\nDURATION:PT1H30M\r\nSUMMARY:A\r\nLOCATION:Room I\r\nEND:VEVENT\r\n";
        let s = &read_programme(&calendar(utc), ProgrammeFormat::Ics).unwrap()[0];
        assert_eq!(s.ends_at.to_string(), "2018-11-12T10:30:00Z");
        assert_eq!(s.time_zone, None);
        assert_eq!(s.kind, "");

        let floating = "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20181112T100000\r\nDTEND:20181112T110000\r\nSUMMARY:B\r\nLOCATION:Room I\r\nEND:VEVENT\r\n";
        let s = &read_programme(&calendar(floating), ProgrammeFormat::Ics).unwrap()[0];
        assert_eq!(s.starts_at.to_string(), "2018-11-12T10:00:00Z");
        let with_zone = calendar(floating).replace(
            "VERSION:2.0\r\n",
            "VERSION:2.0\r\nX-WR-TIMEZONE:Europe/Paris\r\n",
        );
        let s = &read_programme(&with_zone, ProgrammeFormat::Ics).unwrap()[0];
        assert_eq!(s.starts_at.to_string(), "2018-11-12T09:00:00Z");
        assert_eq!(s.time_zone.as_deref(), Some("Europe/Paris"));

        let prefixed = WS235.replace(
            "TZID=Europe/Paris",
            "TZID=\"/freeassociation.sourceforge.net/Europe/Paris\"",
        );
        let s = &read_programme(&calendar(&prefixed), ProgrammeFormat::Ics).unwrap()[0];
        assert_eq!(s.starts_at.to_string(), "2018-11-12T09:00:00Z");
        assert_eq!(s.time_zone.as_deref(), Some("Europe/Paris"));
    }

    #[test]
    fn bare_line_feeds_read_too() {
        let text = calendar(WS235).replace("\r\n", "\n");
        let s = &read_programme(&text, ProgrammeFormat::Ics).unwrap()[0];
        assert_eq!(s.location, "Salle XII");
        assert_eq!(s.kind, "Workshop");
        let two_lines = WS235.replace("\\, \r\n and", "\\n and");
        let text = read_programme(&calendar(&two_lines), ProgrammeFormat::Ics)
            .unwrap_err()
            .to_string();
        assert!(text.contains("control character"), "{text}");
    }

    #[test]
    fn a_cancelled_event_is_left_out() {
        let cancelled = WS235.replace("END:VEVENT", "STATUS:CANCELLED\r\nEND:VEVENT");
        let other = WS235.replace("WS235", "WS236");
        let sessions = read_programme(
            &calendar(&format!("{cancelled}{other}")),
            ProgrammeFormat::Ics,
        )
        .unwrap();
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].uid, "IGF2018-WS236@intgovforum.org");
        assert_eq!(
            read_programme(&calendar(&cancelled), ProgrammeFormat::Ics).unwrap_err(),
            ProgrammeError::Empty
        );
    }

    #[test]
    fn mistakes_name_the_event() {
        let cases = [
            (
                WS235.replace("DTSTART;TZID=Europe/Paris:20181112T100000\r\n", ""),
                "has no DTSTART",
            ),
            (
                WS235.replace("DTEND;TZID=Europe/Paris:20181112T113000\r\n", ""),
                "neither DTEND nor DURATION",
            ),
            (
                WS235.replace("T113000", "T093000"),
                "no later than it starts",
            ),
            (
                WS235.replace("20181112T100000", "2018-11-12 10:00"),
                "not a date and time",
            ),
            (
                WS235.replace(
                    "TZID=Europe/Paris:20181112T100000",
                    "TZID=Paris Time:20181112T100000",
                ),
                "not an IANA time zone",
            ),
            (WS235.replace("20181112T100000", "20181112"), "all-day"),
            (
                WS235.replace("LOCATION:Salle \r\n XII\r\n", ""),
                "has no location",
            ),
            (
                WS235.replace("END:VEVENT", "RRULE:FREQ=DAILY\r\nEND:VEVENT"),
                "repeats",
            ),
        ];
        for (event, reason) in cases {
            let error = read_programme(&calendar(&event), ProgrammeFormat::Ics).unwrap_err();
            let text = error.to_string();
            assert!(
                text.starts_with("event \"IGF2018-WS235@intgovforum.org\": "),
                "{text}"
            );
            assert!(text.contains(reason), "{text}");
        }
        let no_uid = WS235.replace("UID:IGF2018-WS235@intgovforum.org\r\n", "");
        let text = read_programme(&calendar(&no_uid), ProgrammeFormat::Ics)
            .unwrap_err()
            .to_string();
        assert_eq!(text, "event 1 (no UID): has no uid: give it a stable id");
        let twice = format!("{WS235}{WS235}");
        assert!(matches!(
            read_programme(&calendar(&twice), ProgrammeFormat::Ics).unwrap_err(),
            ProgrammeError::DuplicateUid { .. }
        ));
        assert!(matches!(
            read_programme("BEGIN:VCALENDAR\r\nEND:VCALENDA\r\n", ProgrammeFormat::Ics)
                .unwrap_err(),
            ProgrammeError::Unreadable { .. }
        ));
    }
}
