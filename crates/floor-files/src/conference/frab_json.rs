//! Reading a frab schedule in JSON, as pretalx publishes it
//! (`schedule.json`: `{"schedule": {"conference": {"time_zone_name",
//! "days": [{"date", "rooms": {"Room A": [event, …]}}]}}}`). What is read
//! of it is said in `frab`; everything else is passed over.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::frab::{self, FrabEvent, Place, Zone};
use super::{Draft, ProgrammeError};

const FORMAT: &str = "frab schedule JSON";

#[derive(Debug, Deserialize)]
struct Root {
    schedule: Schedule,
}

#[derive(Debug, Deserialize)]
struct Schedule {
    conference: Conference,
}

#[derive(Debug, Deserialize)]
struct Conference {
    time_zone_name: Option<String>,
    #[serde(default)]
    days: Vec<Day>,
}

#[derive(Debug, Deserialize)]
struct Day {
    date: Option<String>,
    #[serde(default)]
    rooms: BTreeMap<String, Vec<Event>>,
}

#[derive(Debug, Deserialize)]
struct Event {
    guid: Option<String>,
    id: Option<serde_json::Value>,
    date: Option<String>,
    start: Option<String>,
    duration: Option<String>,
    room: Option<String>,
    title: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// An id written as a number or a string.
fn id_text(id: Option<serde_json::Value>) -> Option<String> {
    match id? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a frab JSON schedule's sessions, unchecked.
pub(crate) fn read(text: &str) -> Result<Vec<Draft>, ProgrammeError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root: Root = serde_json::from_str(text).map_err(|e| ProgrammeError::Unreadable {
        format: FORMAT,
        reason: e.to_string(),
    })?;
    let conference = root.schedule.conference;
    let zone = Zone::new(conference.time_zone_name.as_deref(), FORMAT)?;
    let mut drafts = Vec::new();
    for day in conference.days {
        for (room, events) in &day.rooms {
            let place = Place {
                day: day.date.as_deref(),
                room: Some(room),
            };
            for event in events {
                let event = FrabEvent {
                    guid: event.guid.clone(),
                    id: id_text(event.id.clone()),
                    date: event.date.clone(),
                    start: event.start.clone(),
                    duration: event.duration.clone(),
                    room: event.room.clone(),
                    title: event.title.clone(),
                    kind: event.kind.clone(),
                };
                drafts.push(frab::draft(event, place, &zone, drafts.len() + 1)?);
            }
        }
    }
    Ok(drafts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::conference::{ProgrammeError, ProgrammeFormat, read_programme};

    fn schedule(event: &serde_json::Value) -> String {
        serde_json::json!({
            "$schema": "https://c3voc.de/schedule/schema.json",
            "schedule": {
                "version": "1.0",
                "conference": {
                    "acronym": "igf2018",
                    "title": "Internet Governance Forum 2018",
                    "time_zone_name": "Europe/Paris",
                    "days": [{
                        "index": 1,
                        "date": "2018-11-12",
                        "rooms": {"Salle XII": [event]}
                    }]
                }
            }
        })
        .to_string()
    }

    fn ws235() -> serde_json::Value {
        serde_json::json!({
            "guid": "IGF2018-WS235@intgovforum.org",
            "id": 235,
            "date": "2018-11-12T10:00:00+01:00",
            "start": "10:00",
            "duration": "01:30",
            "room": "Salle XII",
            "title": "How Can Developing Countries Do Digital Industrialization?",
            "type": "Workshop",
            "persons": [{"public_name": "Parminder Jeet Singh"}]
        })
    }

    #[test]
    fn an_event_reads() {
        let s = &read_programme(&schedule(&ws235()), ProgrammeFormat::FrabJson).unwrap()[0];
        assert_eq!(s.uid, "IGF2018-WS235@intgovforum.org");
        assert_eq!(s.starts_at.to_string(), "2018-11-12T09:00:00Z");
        assert_eq!(s.ends_at.to_string(), "2018-11-12T10:30:00Z");
        assert_eq!(s.kind, "Workshop");
        assert_eq!(s.time_zone.as_deref(), Some("Europe/Paris"));
    }

    #[test]
    fn a_numeric_id_stands_in_for_a_missing_guid() {
        let mut event = ws235();
        event["guid"] = serde_json::Value::Null;
        event["date"] = serde_json::Value::Null;
        event["type"] = serde_json::Value::Null;
        let s = &read_programme(&schedule(&event), ProgrammeFormat::FrabJson).unwrap()[0];
        assert_eq!(s.uid, "235");
        assert_eq!(s.id, "235");
        assert_eq!(s.starts_at.to_string(), "2018-11-12T09:00:00Z");
        assert_eq!(s.kind, "");
    }

    #[test]
    fn mistakes_name_the_event() {
        let mut no_title = ws235();
        no_title["title"] = serde_json::json!("  ");
        let mut bad_duration = ws235();
        bad_duration["duration"] = serde_json::json!("1h30");
        let mut no_start = ws235();
        no_start["date"] = serde_json::Value::Null;
        no_start["start"] = serde_json::Value::Null;
        for (event, reason) in [
            (no_title, "has no title"),
            (bad_duration, "not hours and minutes"),
            (no_start, "neither a date nor a start"),
        ] {
            let text = read_programme(&schedule(&event), ProgrammeFormat::FrabJson)
                .unwrap_err()
                .to_string();
            assert!(
                text.starts_with("event \"IGF2018-WS235@intgovforum.org\": "),
                "{text}"
            );
            assert!(text.contains(reason), "{text}");
        }
        let error = read_programme("{\"schedule\": {}}", ProgrammeFormat::FrabJson).unwrap_err();
        assert!(
            matches!(error, ProgrammeError::Unreadable { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("conference"), "{error}");
    }
}
