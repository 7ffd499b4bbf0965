//! Declared genders, kept apart from the log.
//!
//! A `submit` may declare the person's gender. The decision carries it
//! beside its events ([`crate::Decision::Events`]), never in them, so the
//! events of a submit with a gender are exactly those of one without: no
//! event, snapshot or order can link a gender to an entry, a name, a
//! client, a cause or a neighbouring seq. The broker adds each decision's
//! declaration to the room's [`Declarations`] in the store, in the same
//! commit as the events (so a retried request never counts twice and a
//! refused one counts nothing), and the session report reads the totals.
//!
//! Logs written before hold `gender_declared` events. They still load and
//! are counted by the report; a broker serves each as a `redacted` event
//! ([`served_text`]): its seq and time, no cause, no gender.

use std::borrow::Cow;
use std::collections::BTreeMap;

use floor_protocol::{Event, Gender, RoomEvent};

/// Counts of declared genders (totals only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declarations {
    counts: BTreeMap<Gender, u64>,
}

/// Why stored declarations could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeclarationsError {
    /// A name that is no gender's wire name.
    #[error("no gender {0:?}")]
    Gender(String),
    /// A part of a line that is not `gender=count`.
    #[error("{0:?} is not gender=count")]
    Pair(String),
}

impl Declarations {
    /// No declaration.
    pub fn new() -> Declarations {
        Declarations::default()
    }

    /// Adds `n` declarations of `gender`.
    pub fn add(&mut self, gender: Gender, n: u64) {
        if n > 0 {
            *self.counts.entry(gender).or_default() += n;
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Declarations) {
        for (gender, n) in other.iter() {
            self.add(gender, n);
        }
    }

    /// The count of one gender.
    pub fn get(&self, gender: Gender) -> u64 {
        self.counts.get(&gender).copied().unwrap_or(0)
    }

    /// Declarations of every gender together.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Whether nothing was declared.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The genders declared at least once, with their counts.
    pub fn iter(&self) -> impl Iterator<Item = (Gender, u64)> + '_ {
        self.counts.iter().map(|(g, n)| (*g, *n))
    }

    /// The counts as (wire name, count) pairs, as the stores keep them.
    pub fn to_pairs(&self) -> Vec<(String, u64)> {
        self.iter()
            .map(|(g, n)| (g.as_str().to_owned(), n))
            .collect()
    }

    /// Counts read from a store's (wire name, count) pairs; a name that is
    /// no gender is refused with its text.
    pub fn from_pairs<S: AsRef<str>>(
        pairs: impl IntoIterator<Item = (S, u64)>,
    ) -> Result<Declarations, DeclarationsError> {
        let mut declarations = Declarations::new();
        for (name, n) in pairs {
            let name = name.as_ref();
            let gender = Gender::from_name(name)
                .ok_or_else(|| DeclarationsError::Gender(name.to_owned()))?;
            declarations.add(gender, n);
        }
        Ok(declarations)
    }

    /// The counts as one line, `woman=2,man=1` (empty for none): the
    /// shared store's commit header.
    pub fn to_line(&self) -> String {
        self.iter()
            .map(|(g, n)| format!("{}={n}", g.as_str()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Counts read from [`Declarations::to_line`]'s form.
    pub fn from_line(line: &str) -> Result<Declarations, DeclarationsError> {
        let pairs = line
            .split(',')
            .filter(|part| !part.trim().is_empty())
            .map(|part| {
                let pair = part.split_once('=').and_then(|(name, n)| {
                    let n = n.trim().parse::<u64>().ok()?;
                    Some((name.trim().to_owned(), n))
                });
                pair.ok_or_else(|| DeclarationsError::Pair(part.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Declarations::from_pairs(pairs)
    }

    /// Counts the legacy `gender_declared` events among `events`.
    pub fn of_legacy<'a>(events: impl IntoIterator<Item = &'a RoomEvent>) -> Declarations {
        let mut declarations = Declarations::new();
        for event in events {
            if let Event::GenderDeclared { gender } = event.event {
                declarations.add(gender, 1);
            }
        }
        declarations
    }
}

/// What a subscriber may receive in place of a stored event: `None` when
/// it is served as it is, the `redacted` event (its seq and time, no
/// cause) for a legacy `gender_declared`.
pub fn redacted(event: &RoomEvent) -> Option<RoomEvent> {
    match event.event {
        Event::GenderDeclared { .. } => Some(RoomEvent {
            seq: event.seq,
            at_ms: event.at_ms,
            cause: None,
            event: Event::Redacted,
        }),
        _ => None,
    }
}

/// The text to serve for a stored event's text: the same text, except
/// for a legacy `gender_declared`, served as its `redacted` form. Text
/// that does not decode is returned as it is (loading refuses it anyway).
pub fn served_text(stored: &str) -> Cow<'_, str> {
    // Only a structural `"type":"gender_declared"` can be one: inside a
    // JSON string every quote is escaped, so a name cannot hold it.
    if !stored.contains(r#""type":"gender_declared""#) {
        return Cow::Borrowed(stored);
    }
    serde_json::from_str::<RoomEvent>(stored)
        .ok()
        .and_then(|event| redacted(&event))
        .and_then(|event| serde_json::to_string(&event).ok())
        .map_or(Cow::Borrowed(stored), Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use floor_protocol::{Cause, ClientKey, Role};

    fn legacy(seq: u64, gender: Gender) -> RoomEvent {
        RoomEvent {
            seq,
            at_ms: 1_000,
            cause: Some(Cause {
                request_id: "p-1".into(),
                client: ClientKey::new("k"),
                role: Role::Participant,
            }),
            event: Event::GenderDeclared { gender },
        }
    }

    #[test]
    fn a_legacy_declaration_is_served_as_a_redacted_event_without_cause_or_gender() {
        let stored = serde_json::to_string(&legacy(7, Gender::Woman)).unwrap_or_default();
        let served = served_text(&stored);
        assert_eq!(
            served,
            r#"{"seq":7,"at_ms":1000,"event":{"type":"redacted"}}"#
        );
        let other = r#"{"seq":1,"at_ms":1,"event":{"type":"queue_opened"}}"#;
        assert!(matches!(served_text(other), Cow::Borrowed(_)));
    }

    #[test]
    fn counts_read_back_from_their_stored_forms() {
        let mut d = Declarations::new();
        d.add(Gender::Man, 2);
        d.add(Gender::NonBinary, 1);
        d.add(Gender::Another, 0);
        assert_eq!(d.to_line(), "man=2,non_binary=1");
        assert_eq!(Declarations::from_line(&d.to_line()), Ok(d.clone()));
        assert_eq!(Declarations::from_pairs(d.to_pairs()), Ok(d.clone()));
        assert_eq!(Declarations::from_line(""), Ok(Declarations::new()));
        assert!(Declarations::from_line("men=1").is_err());
        assert!(Declarations::from_line("man=x").is_err());
        let events = [legacy(1, Gender::Man), legacy(2, Gender::Man)];
        assert_eq!(Declarations::of_legacy(&events).get(Gender::Man), 2);
    }
}
