//! What frab's two forms of a schedule share: an event read into a
//! session.
//!
//! A frab schedule (XML or JSON) has a conference with its time zone
//! (`time_zone_name`), days with their date, rooms with their name, and
//! events. An event's uid is its `guid`, else its `id`; its start is its
//! `date` (a date, time and offset, `2018-11-12T10:00:00+01:00`) when it
//! has one, else its day's date and its `start` (`10:00`) in the
//! conference's time zone (UTC when the schedule names none); its end is
//! its start plus its `duration` (`01:30`); its location is its `room`,
//! else the name of the room it is listed under; its type is its `type`.
//! Every session's time zone is the conference's `time_zone_name`.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::{Draft, ProgrammeError, session_error, time};

/// An event as either form writes it.
#[derive(Debug, Default)]
pub(crate) struct FrabEvent {
    pub(crate) guid: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) start: Option<String>,
    pub(crate) duration: Option<String>,
    pub(crate) room: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) kind: Option<String>,
}

/// Where an event is listed: its day's date, its room's name.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Place<'a> {
    pub(crate) day: Option<&'a str>,
    pub(crate) room: Option<&'a str>,
}

/// The conference's time zone, by name and as a zone.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    name: Option<String>,
    zone: TimeZone,
}

impl Zone {
    /// The zone a schedule's `time_zone_name` names (UTC when absent).
    pub(crate) fn new(name: Option<&str>, format: &'static str) -> Result<Self, ProgrammeError> {
        match name.map(str::trim).filter(|n| !n.is_empty()) {
            None => Ok(Self {
                name: None,
                zone: TimeZone::UTC,
            }),
            Some(name) => Ok(Self {
                zone: time::zone(name).map_err(|reason| ProgrammeError::Unreadable {
                    format,
                    reason: format!("the conference's time_zone_name: {reason}"),
                })?,
                name: Some(name.to_owned()),
            }),
        }
    }
}

fn nonempty(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// An event read into a session, unchecked; `number` counts the events
/// from 1, for an event with neither guid nor id.
pub(crate) fn draft(
    event: FrabEvent,
    place: Place<'_>,
    zone: &Zone,
    number: usize,
) -> Result<Draft, ProgrammeError> {
    let uid = nonempty(&event.guid)
        .or(nonempty(&event.id))
        .unwrap_or_default()
        .to_owned();
    let at = if uid.is_empty() {
        format!("event {number} (no guid or id)")
    } else {
        format!("event {uid:?}")
    };
    let starts_at = match (nonempty(&event.date), nonempty(&event.start)) {
        (Some(date), _) => date.parse::<Timestamp>().map_err(|_| {
            session_error(
                &at,
                format!("its date {date:?} is not a date and time with an offset, such as 2018-11-12T10:00:00+01:00"),
            )
        })?,
        (None, Some(start)) => {
            let day = place.day.map(str::trim).unwrap_or_default();
            let day: Date = day.parse().map_err(|_| {
                session_error(
                    &at,
                    format!("has no date, and its day's date {day:?} is not a date such as 2018-11-12"),
                )
            })?;
            let clock = time::clock(start).ok_or_else(|| {
                session_error(&at, format!("its start {start:?} is not a time such as 10:00"))
            })?;
            let midnight = day.to_datetime(jiff::civil::Time::midnight());
            let civil = midnight
                .checked_add(clock)
                .map_err(|e| session_error(&at, format!("its start {start:?}: {e}")))?;
            time::in_zone(civil, &zone.zone).map_err(|e| session_error(&at, e))?
        }
        (None, None) => {
            return Err(session_error(
                &at,
                "has neither a date nor a start: give the session's start",
            ));
        }
    };
    let duration = nonempty(&event.duration)
        .ok_or_else(|| session_error(&at, "has no duration: give it as HH:MM, such as 01:30"))?;
    let length = time::clock(duration).ok_or_else(|| {
        session_error(
            &at,
            format!("its duration {duration:?} is not hours and minutes such as 01:30"),
        )
    })?;
    let ends_at = starts_at
        .checked_add(length)
        .map_err(|e| session_error(&at, format!("its duration {duration:?}: {e}")))?;
    let location = nonempty(&event.room)
        .or(place.room.map(str::trim).filter(|r| !r.is_empty()))
        .unwrap_or_default()
        .to_owned();
    Ok(Draft {
        uid,
        title: event.title.unwrap_or_default(),
        starts_at,
        ends_at,
        location,
        kind: event.kind.unwrap_or_default(),
        time_zone: zone.name.clone(),
        at,
    })
}
