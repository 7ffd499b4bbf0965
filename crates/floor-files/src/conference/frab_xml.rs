//! Reading a frab schedule in XML, as pretalx and FOSDEM publish it
//! (`<schedule><conference>…<day date=…><room name=…><event guid=… id=…>`).
//! What is read of it is said in `frab`; everything else (persons, links,
//! abstracts) is passed over.

use serde::Deserialize;

use super::frab::{self, FrabEvent, Place, Zone};
use super::{Draft, ProgrammeError};

const FORMAT: &str = "frab schedule XML";

#[derive(Debug, Deserialize)]
struct Schedule {
    conference: Option<Conference>,
    #[serde(default)]
    day: Vec<Day>,
}

#[derive(Debug, Deserialize)]
struct Conference {
    time_zone_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Day {
    #[serde(rename = "@date")]
    date: Option<String>,
    #[serde(default)]
    room: Vec<Room>,
}

#[derive(Debug, Deserialize)]
struct Room {
    #[serde(rename = "@name")]
    name: Option<String>,
    #[serde(default)]
    event: Vec<Event>,
}

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "@guid")]
    guid: Option<String>,
    #[serde(rename = "@id")]
    id: Option<String>,
    date: Option<String>,
    start: Option<String>,
    duration: Option<String>,
    room: Option<String>,
    title: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// Reads a frab XML schedule's sessions, unchecked.
pub(crate) fn read(text: &str) -> Result<Vec<Draft>, ProgrammeError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.contains("<schedule") {
        return Err(ProgrammeError::Unreadable {
            format: FORMAT,
            reason: "no <schedule> element".into(),
        });
    }
    let schedule: Schedule =
        quick_xml::de::from_str(text).map_err(|e| ProgrammeError::Unreadable {
            format: FORMAT,
            reason: e.to_string(),
        })?;
    let zone = Zone::new(
        schedule
            .conference
            .as_ref()
            .and_then(|c| c.time_zone_name.as_deref()),
        FORMAT,
    )?;
    let mut drafts = Vec::new();
    for day in &schedule.day {
        for room in &day.room {
            let place = Place {
                day: day.date.as_deref(),
                room: room.name.as_deref(),
            };
            for event in &room.event {
                let event = FrabEvent {
                    guid: event.guid.clone(),
                    id: event.id.clone(),
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

    use crate::conference::{ProgrammeFormat, read_programme};

    fn schedule(events: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<schedule>
  <version>1.0</version>
  <conference>
    <acronym>igf2018</acronym>
    <title>Internet Governance Forum 2018</title>
    <time_zone_name>Europe/Paris</time_zone_name>
  </conference>
  <day index="1" date="2018-11-12" start="2018-11-12T09:00:00+01:00" end="2018-11-12T18:30:00+01:00">
    <room name="Salle XII">
{events}
    </room>
  </day>
</schedule>
"#
        )
    }

    const WS235: &str = r#"<event guid="IGF2018-WS235@intgovforum.org" id="235">
        <date>2018-11-12T10:00:00+01:00</date>
        <start>10:00</start>
        <duration>01:30</duration>
        <room>Salle XII</room>
        <slug>ws235</slug>
        <title>How Can Developing Countries Do Digital Industrialization &amp; Why?</title>
        <subtitle/>
        <track>Development</track>
        <type>Workshop</type>
        <persons><person id="1">Parminder Jeet Singh</person></persons>
        <links/>
      </event>"#;

    #[test]
    fn an_event_reads() {
        let s = &read_programme(&schedule(WS235), ProgrammeFormat::FrabXml).unwrap()[0];
        assert_eq!(s.uid, "IGF2018-WS235@intgovforum.org");
        assert_eq!(
            s.title,
            "How Can Developing Countries Do Digital Industrialization & Why?"
        );
        assert_eq!(s.starts_at.to_string(), "2018-11-12T09:00:00Z");
        assert_eq!(s.ends_at.to_string(), "2018-11-12T10:30:00Z");
        assert_eq!(s.location, "Salle XII");
        assert_eq!(s.kind, "Workshop");
        assert_eq!(s.time_zone.as_deref(), Some("Europe/Paris"));
    }

    #[test]
    fn without_a_date_the_day_and_start_in_the_conference_zone() {
        let event = WS235
            .replace("<date>2018-11-12T10:00:00+01:00</date>", "")
            .replace(r#"guid="IGF2018-WS235@intgovforum.org" "#, "")
            .replace("<room>Salle XII</room>", "");
        let s = &read_programme(&schedule(&event), ProgrammeFormat::FrabXml).unwrap()[0];
        assert_eq!(s.uid, "235");
        assert_eq!(s.starts_at.to_string(), "2018-11-12T09:00:00Z");
        assert_eq!(s.location, "Salle XII");
    }

    #[test]
    fn mistakes_name_the_event() {
        let cases = [
            (
                WS235.replace("<duration>01:30</duration>", ""),
                "has no duration",
            ),
            (WS235.replace("01:30", "90 min"), "not hours and minutes"),
            (WS235.replace("01:30", "00:00"), "no later than it starts"),
            (
                WS235.replace("2018-11-12T10:00:00+01:00", "12/11/2018 10:00"),
                "not a date and time",
            ),
            (
                WS235.replace("Developing Countries", "Developing\tCountries"),
                "control character",
            ),
        ];
        for (event, reason) in cases {
            let text = read_programme(&schedule(&event), ProgrammeFormat::FrabXml)
                .unwrap_err()
                .to_string();
            assert!(
                text.starts_with("event \"IGF2018-WS235@intgovforum.org\": "),
                "{text}"
            );
            assert!(text.contains(reason), "{text}");
        }
        let text = read_programme(&schedule(""), ProgrammeFormat::FrabXml)
            .unwrap_err()
            .to_string();
        assert!(text.contains("no sessions"), "{text}");
        let text = read_programme("<html></html>", ProgrammeFormat::FrabXml)
            .unwrap_err()
            .to_string();
        assert!(text.contains("<schedule>"), "{text}");
    }
}
